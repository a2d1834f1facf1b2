"""RMSprop: two steps by hand, and PyTorch parity step by step in every form (1e-12)."""
import math

import numpy as np
import pytest

from nets.optim import RMSprop
from optim_parity import assert_steps_match_torch
from tinygrad_res import Tensor


def test_two_steps_by_hand_centered_with_momentum():
    p = Tensor([1.0], requires_grad=True)
    opt = RMSprop([p], lr=0.1, alpha=0.5, eps=0.0, momentum=0.9, centered=True)
    p.grad = np.array([2.0])
    opt.step()     # v = 2, m = 1, avg = sqrt(2 - 1) = 1, buf = 2, p = 1 - 0.2
    np.testing.assert_allclose(p.data, [0.8], rtol=1e-15)
    p.grad = np.array([-2.0])
    opt.step()     # v = 1 + 2 = 3, m = 0.5 - 1 = -0.5, avg = sqrt(2.75), buf = 1.8 - 2 / avg
    buf = 0.9 * 2 - 2 / math.sqrt(2.75)
    np.testing.assert_allclose(p.data, [0.8 - 0.1 * buf], rtol=1e-14)


def test_defaults_are_pytorchs(torch):
    ours = RMSprop([Tensor([1.0], requires_grad=True)]).param_groups[0]
    theirs = torch.optim.RMSprop([torch.ones(1, requires_grad=True)]).param_groups[0]
    for key in ("lr", "alpha", "eps", "weight_decay", "momentum", "centered"):
        assert ours[key] == theirs[key], key


@pytest.mark.parametrize("kwargs", [
    {}, {"lr": 0.005, "weight_decay": 0.1}, {"lr": 0.003, "momentum": 0.9},
    {"lr": 0.002, "centered": True, "alpha": 0.9},
    {"lr": 0.001, "centered": True, "momentum": 0.5, "weight_decay": 0.01, "eps": 1e-3}],
    ids=["defaults", "weight-decay", "momentum", "centered", "everything"])
def test_each_step_matches_torch_to_1e_12(torch, kwargs):
    assert_steps_match_torch(torch, lambda p: RMSprop(p, **kwargs),
                             lambda p: torch.optim.RMSprop(p, **kwargs))


def test_bad_hyperparameters_name_the_optimizer():
    p = Tensor([1.0], requires_grad=True)
    for kwargs, what in (({"alpha": -0.1}, "alpha"), ({"eps": -1.0}, "eps"),
                         ({"momentum": -0.5}, "momentum"), ({"lr": -1.0}, "learning rate")):
        with pytest.raises(ValueError, match=f"RMSprop: invalid {what} "):
            RMSprop([p], **kwargs)
