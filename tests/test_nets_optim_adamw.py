"""AdamW: decoupled weight decay by hand, and PyTorch parity step by step (float64, 1e-12)."""
import math

import numpy as np
import pytest

from nets.optim import Adam, AdamW
from optim_parity import assert_steps_match_torch
from tinygrad_res import Tensor


def test_the_decay_shrinks_the_parameter_and_skips_the_moments():
    p = Tensor([2.0], requires_grad=True)
    p.grad = np.array([0.5])
    opt = AdamW([p], lr=0.1, weight_decay=0.5)
    opt.step()   # p = 2 * (1 - 0.05) = 1.9, then Adam's first step: lr * g / (|g| + eps)
    np.testing.assert_allclose(p.data, [1.9 - 0.1 * 0.5 / (0.5 + 1e-8)], rtol=1e-15)
    m, v = opt.state[0]["exp_avg"], opt.state[0]["exp_avg_sq"]
    np.testing.assert_allclose([m[0], v[0]], [0.1 * 0.5, 0.001 * 0.25], rtol=1e-15)  # grad only


def test_defaults_are_pytorchs(torch):
    p = Tensor([1.0], requires_grad=True)
    ours = AdamW([p]).param_groups[0]
    theirs = torch.optim.AdamW([torch.ones(1, requires_grad=True)]).param_groups[0]
    for key in ("lr", "betas", "eps", "weight_decay", "amsgrad"):
        assert ours[key] == theirs[key], key
    assert isinstance(AdamW([p]), Adam) and ours["decoupled_weight_decay"]


@pytest.mark.parametrize("kwargs", [{}, {"lr": 0.03, "weight_decay": 0.2},
                                    {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-4,
                                     "weight_decay": 0.05, "amsgrad": True}],
                         ids=["defaults", "strong-decay", "amsgrad"])
def test_each_step_matches_torch_to_1e_12(torch, kwargs):
    assert_steps_match_torch(torch, lambda p: AdamW(p, **kwargs),
                             lambda p: torch.optim.AdamW(p, **kwargs))


def test_a_changed_rate_changes_the_decay_too(torch):
    """The decay reads the current lr (lr * weight_decay), as PyTorch's does."""
    def ours(p):
        opt = AdamW(p, lr=0.1, weight_decay=0.5)
        opt.lr = 0.01
        return opt

    def theirs(p):
        opt = torch.optim.AdamW(p, lr=0.1, weight_decay=0.5)
        opt.param_groups[0]["lr"] = 0.01
        return opt
    assert_steps_match_torch(torch, ours, theirs, steps=3)


def test_bad_hyperparameters_name_the_optimizer():
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"AdamW: invalid betas \(0.9, 1.5\)"):
        AdamW([p], betas=(0.9, 1.5))
    with pytest.raises(ValueError, match="AdamW: invalid weight_decay -0.1"):
        AdamW([p], weight_decay=-0.1)
    assert math.isclose(AdamW([p], lr=np.float32(0.5)).lr, 0.5)
