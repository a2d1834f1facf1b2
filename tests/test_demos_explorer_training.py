"""An explorer run step by step (demos/explorer/training.py): the streamed loss and per-layer
gradient equal a hand-written numpy forward and backward pass, a diverging run says so, and
every task and block trains."""
import math

import numpy as np
import pytest
from conftest import import_optional

import nets
from demos.explorer.config import RunConfig
from demos.explorer.tasks import build_problem
from demos.explorer.training import gradients_at_init, train_steps


def numpy_reference(layers, x, residual, lr, steps):
    """Losses and per-layer ||dL/dh_k|| of `steps` SGD steps on mean((h_D - x)^2), written
    out by hand: h_k = relu(h_{k-1} W_k^T + b_k) (+ h_{k-1} with skips)."""
    params = [[layer.linear.weight.data.copy(), layer.linear.bias.data.copy()] for layer in layers]
    losses, norms = [], []
    for _ in range(steps):
        hs, zs = [x], []
        for W, b in params:
            zs.append(hs[-1] @ W.T + b)
            hs.append(np.maximum(zs[-1], 0) + (hs[-1] if residual else 0))
        losses.append(np.mean((hs[-1] - x) ** 2))
        grad_h = 2 * (hs[-1] - x) / x.size
        layer_norms = [np.linalg.norm(grad_h)]
        grads = []
        for k in reversed(range(len(params))):
            grad_z = grad_h * (zs[k] > 0)
            grads.append((grad_z.T @ hs[k], grad_z.sum(axis=0)))
            grad_h = grad_z @ params[k][0] + (grad_h if residual else 0)
            layer_norms.append(np.linalg.norm(grad_h))
        norms.append(layer_norms[:-1][::-1])  # output of layer 1 ... layer D
        for (W, b), (dW, db) in zip(params, reversed(grads)):
            W -= lr * dW
            b -= lr * db
    return np.array(losses), np.array(norms)


@pytest.mark.parametrize("skip", [False, True], ids=["plain", "residual"])
def test_streamed_losses_and_gradients_equal_hand_written_backprop(skip):
    config = RunConfig(task="identity", depth=4, width=5, skip=skip, optimizer="sgd", lr=0.2,
                       steps=6, seed=2)
    steps = list(train_steps(config))
    problem = build_problem(config)
    losses, norms = numpy_reference(problem.layers, nets.data.identity_data(32, 5), skip, 0.2, 6)
    np.testing.assert_allclose([s.loss for s in steps], losses, rtol=1e-12)
    np.testing.assert_allclose([s.grad_norms for s in steps], norms, rtol=1e-10)
    assert [s.step for s in steps] == list(range(6))
    np.testing.assert_allclose(gradients_at_init(config), norms[0], rtol=1e-12)
    assert steps[0].chance == pytest.approx(nets.data.zero_prediction_loss(
        nets.data.identity_data(32, 5)))


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
