"""An explorer run step by step (demos/explorer/training.py): the gradient per layer equals
finite differences, the run equals the same net's training loop in PyTorch, a diverging run
says so, and every task and block trains."""
import math

import numpy as np
import pytest
from conftest import import_optional

import nets
from demos.explorer.config import RunConfig
from demos.explorer.tasks import build_problem
from demos.explorer.training import gradients_at_init, train_steps
from tinygrad_res import Tensor, numerical_grad


@pytest.mark.parametrize("skip", [False, True], ids=["plain", "residual"])
def test_the_gradient_per_layer_equals_finite_differences(skip):
    # PyTorch's default init: nonzero biases, so no pre-activation sits exactly on relu's kink
    # (with zero biases, a sample whose units all died gives z = 0 in the next layer, where
    # central differences see half a slope)
    config = RunConfig(task="identity", depth=4, width=5, skip=skip, init="default", seed=2)
    problem = build_problem(config)
    x, target = problem.batch(0)
    outputs, h = [], x
    for layer in problem.layers:
        h = layer(h)
        outputs.append(h.data)
    expected = []
    for k, output in enumerate(outputs):
        def rest(h, above=problem.layers[k + 1:]):  # the loss as a function of h_k alone
            for layer in above:
                h = layer(h)
            return problem.loss(h, target)
        grad = numerical_grad(rest, Tensor(output, requires_grad=True))[0]
        expected.append(np.linalg.norm(grad))
    np.testing.assert_allclose(gradients_at_init(config), expected, rtol=1e-6)
    np.testing.assert_allclose(next(train_steps(config)).grad_norms, expected, rtol=1e-6)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("skip", [False, True], ids=["plain", "residual"])
def test_a_run_is_pytorchs_training_loop_step_by_step(torch, skip, optimizer):
    """Loss before each update and ||dL/dh_k||, against the same net trained in PyTorch."""
    config = RunConfig(task="identity", depth=4, width=5, skip=skip, optimizer=optimizer,
                       lr=0.05, steps=6, seed=2)
    steps = list(train_steps(config))
    params = [torch.tensor(array, requires_grad=True)
              for layer in build_problem(config).layers  # the same initial weights
              for array in (layer.linear.weight.data, layer.linear.bias.data)]
    make = {"sgd": lambda p: torch.optim.SGD(p, lr=0.05),
            "momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
            "adam": lambda p: torch.optim.Adam(p, lr=0.05)}
    opt = make[optimizer](params)
    x = torch.tensor(nets.data.identity_data(32, 5))
    assert [s.step for s in steps] == list(range(6))
    for step in steps:
        h, outputs = x, []
        for weight, bias in zip(params[::2], params[1::2]):
            branch = torch.relu(h @ weight.T + bias)
            h = h + branch if skip else branch
            h.retain_grad()
            outputs.append(h)
        loss = torch.nn.functional.mse_loss(h, x)
        opt.zero_grad()
        loss.backward()
        assert step.loss == pytest.approx(loss.item(), rel=1e-12)
        np.testing.assert_allclose(step.grad_norms, [o.grad.norm().item() for o in outputs],
                                   rtol=1e-10)
        opt.step()
    assert steps[0].chance == pytest.approx(nets.data.zero_prediction_loss(x.numpy()))


def test_a_diverging_run_ends_with_a_step_that_says_so():
    config = RunConfig(task="identity", depth=20, width=8, skip=True, init="kaiming",
                       optimizer="sgd", lr=10.0, steps=50)
    steps = list(train_steps(config))
    assert steps[-1].loss is None and steps[-1].grad_norms is None
    assert len(steps) < 50 and all(math.isfinite(s.loss) for s in steps[:-1])


@pytest.mark.parametrize("task, chance", [("spirals", math.log(2)), ("distant_identity", 1 / 3),
                                          ("digits", math.log(10))])
@pytest.mark.parametrize("block", ["layer", "preact"])
def test_every_task_and_block_trains(task, chance, block):
    if task == "digits":
        import_optional("sklearn", "pip install -e \".[data]\"")
    for optimizer in ("momentum", "adam"):
        steps = list(train_steps(RunConfig(task=task, depth=3, width=8, block=block,
                                           optimizer=optimizer, steps=3, skip=True)))
        assert len(steps) == 3 and all(len(s.grad_norms) == 3 for s in steps)
        assert steps[0].chance == pytest.approx(chance)
        assert all(math.isfinite(s.loss) and s.loss > 0 for s in steps)
