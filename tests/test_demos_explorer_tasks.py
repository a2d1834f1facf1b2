"""The networks of the explorers (demos/explorer/tasks.py): a plain and a residual run of one
seed start from the same draws, and a block without its skip computes only its branch."""
import dataclasses
import math

import numpy as np
import pytest

import nets
from demos.explorer.config import RunConfig
from demos.explorer.tasks import NoShortcut, build_problem
from tinygrad_res import Tensor


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
