"""The explorers' runs (demos/explorer/config.py, tasks.py, training.py): settings checked,
networks built as documented, and the streamed loss and per-layer gradient equal to a
hand-written numpy forward and backward pass."""
import dataclasses
import math

import numpy as np
import pytest
from conftest import import_optional

import nets
from demos.explorer.config import (FIELDS, INT_RANGES, BadParameter, RunConfig, control_spec,
                                   parse_config)
from demos.explorer.tasks import NoShortcut, build_problem
from demos.explorer.training import gradients_at_init, train_steps
from tinygrad_res import Tensor


def test_parse_config_takes_strings_and_json_values_and_fills_defaults():
    config = parse_config({"depth": "16", "width": 8.0, "skip": "true", "lr": "0.1",
                           "task": "identity"})
    assert config == RunConfig(task="identity", depth=16, width=8, skip=True, lr=0.1)
    assert parse_config({}) == RunConfig()
    assert parse_config({"skip": False, "steps": 1}).steps == 1


@pytest.mark.parametrize("values, parameter", [
    ({"depth": True}, "depth"), ({"seed": -1}, "seed"), ({"lr": float("inf")}, "lr"),
    ({"lr": float("nan")}, "lr"), ({"lr": [0.1]}, "lr"), ({"optimizer": "rmsprop"}, "optimizer"),
    ({"init": "xavier"}, "init"), ({"skip": 2}, "skip"), ({"extra": 1}, "extra")])
def test_parse_config_names_the_bad_parameter(values, parameter):
    with pytest.raises(BadParameter) as caught:
        parse_config(values)
    assert caught.value.parameter == parameter and str(caught.value).startswith(parameter)


def test_the_page_controls_are_the_settings_and_their_limits():
    controls = {c["name"]: c for c in control_spec()["controls"]}
    assert tuple(controls) == FIELDS
    for name, (low, high) in INT_RANGES.items():
        assert (controls[name]["min"], controls[name]["max"]) == (low, high)
    assert [c["value"] for c in controls["task"]["choices"]] == [
        "spirals", "identity", "distant_identity", "digits"]
    assert controls["depth"]["default"] == RunConfig().depth


def weights(layers):
    return [(layer.linear.weight.data.copy(), layer.linear.bias.data.copy()) for layer in layers]


@pytest.mark.parametrize("init", ["default", "kaiming", "kaiming_scaled"])
def test_plain_and_residual_runs_of_one_seed_start_from_the_same_draws(init):
    config = RunConfig(task="spirals", depth=9, width=6, init=init, seed=4)
    plain = build_problem(config)
    residual = build_problem(dataclasses.replace(config, skip=True))
    divisor = 3.0 if init == "kaiming_scaled" else 1.0  # sqrt(depth), on the residual stack
    for (wp, bp), (wr, br) in zip(weights(plain.layers), weights(residual.layers)):
        np.testing.assert_array_equal(wp / divisor, wr)
        np.testing.assert_array_equal(bp, br)
    if init != "default":
        assert all(np.all(b == 0) for _, b in weights(plain.layers))
        fan_in_std = math.sqrt(2 / 6)
        stds = [w.std() for w, _ in weights(plain.layers)]
        assert 0.5 * fan_in_std < np.mean(stds) < 1.5 * fan_in_std
    assert isinstance(plain.layers[0], nets.mlp.PlainLayer)
    assert isinstance(residual.layers[0], nets.mlp.ResidualLayer)


def test_a_block_without_its_skip_computes_only_its_branch():
    problem = build_problem(RunConfig(task="identity", depth=3, width=5, block="postact"))
    block = problem.layers[0]
    assert isinstance(block, nets.PostActBlock) and isinstance(block.shortcut, NoShortcut)
    x = Tensor(np.random.default_rng(0).standard_normal((4, 5)), requires_grad=True)
    branch = block.norm2(block.fc2(block.norm1(block.fc1(x)).relu())).relu()
    out = block(x)
    np.testing.assert_array_equal(out.data, branch.data)
    with_skip = build_problem(RunConfig(task="identity", depth=3, width=5, block="postact",
                                        skip=True)).layers[0]
    assert not isinstance(with_skip.shortcut, NoShortcut)


def numpy_reference(layers, x, residual, lr, steps):
    """Losses and per-layer ||dL/dh_k|| of `steps` SGD steps on mean((h_D - x)^2), written
    out by hand: h_k = relu(h_{k-1} W_k^T + b_k) (+ h_{k-1} with skips)."""
    params = [list(p) for p in weights(layers)]
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
