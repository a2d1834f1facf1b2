"""StepLR and CosineAnnealingLR: PyTorch's formulas, step() order, last_epoch, get_last_lr(),
checked by hand and against torch.optim.lr_scheduler epoch by epoch."""
import math
import warnings

import numpy as np
import pytest

from nets.optim import SGD, Adam
from nets.optim.lr_scheduler import CosineAnnealingLR, StepLR
from tinygrad_res import Tensor


def make_sgd(lr=0.1):
    return SGD([Tensor([1.0], requires_grad=True)], lr=lr)


def test_step_lr_by_hand():
    opt = make_sgd(0.1)
    schedule = StepLR(opt, step_size=3, gamma=0.5)
    assert schedule.last_epoch == 0 and schedule.get_last_lr() == [0.1]
    assert opt.param_groups[0]["initial_lr"] == 0.1 and schedule.base_lrs == [0.1]
    rates = []
    for _ in range(7):
        schedule.step()
        rates.append(opt.lr)
    assert rates == [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]
    assert schedule.last_epoch == 7


def test_cosine_by_hand_reaches_eta_min_at_t_max():
    opt = make_sgd(1.0)
    schedule = CosineAnnealingLR(opt, T_max=4, eta_min=0.2)
    rates = []
    for _ in range(4):
        schedule.step()
        rates.append(schedule.get_last_lr()[0])
    closed = [0.2 + 0.8 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(1, 5)]
    np.testing.assert_allclose(rates, closed, rtol=1e-14)
    assert rates[-1] == pytest.approx(0.2, abs=1e-15)


def run(schedule, epochs):
    rates = []
    for _ in range(epochs):
        schedule.optimizer.step()
        schedule.step()
        rates.append(schedule.get_last_lr())
    return rates


@pytest.mark.parametrize("kind", ["step", "cosine"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_every_epoch_matches_torch(torch, kind, optimizer):
    """30 epochs (past T_max, where the cosine climbs back), a rate changed by hand halfway
    (both carry it on), then a scheduler resumed from last_epoch."""
    def ours_opt():
        p = Tensor([1.0], requires_grad=True)
        p.grad = np.array([0.0])
        return SGD([p], lr=0.3, momentum=0.9) if optimizer == "sgd" else Adam([p], lr=0.3)

    def torch_opt():
        p = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))
        p.grad = torch.zeros(1, dtype=torch.float64)
        return (torch.optim.SGD([p], lr=0.3, momentum=0.9) if optimizer == "sgd"
                else torch.optim.Adam([p], lr=0.3))

    S = torch.optim.lr_scheduler
    if kind == "step":
        ours_make, theirs_make = (lambda o, **k: StepLR(o, 4, gamma=0.7, **k),
                                  lambda o, **k: S.StepLR(o, 4, gamma=0.7, **k))
    else:
        ours_make, theirs_make = (lambda o, **k: CosineAnnealingLR(o, T_max=7, eta_min=0.01, **k),
                                  lambda o, **k: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01,
                                                                     **k))
    ours, theirs = ours_make(ours_opt()), theirs_make(torch_opt())
    assert ours.get_last_lr() == theirs.get_last_lr()
    got, expected = run(ours, 15), run(theirs, 15)
    ours.optimizer.lr = theirs.optimizer.param_groups[0]["lr"] = 0.05
    got += run(ours, 15)
    expected += run(theirs, 15)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=1e-16)
    assert ours.last_epoch == theirs.last_epoch == 30
    # resuming: a fresh scheduler on the same optimizer, from epoch 30
    ours_resumed = ours_make(ours.optimizer, last_epoch=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")    # torch warns that step() runs before optimizer.step()
        theirs_resumed = theirs_make(theirs.optimizer, last_epoch=30)
    np.testing.assert_allclose(ours_resumed.get_last_lr(), theirs_resumed.get_last_lr(),
                               rtol=1e-13)
    np.testing.assert_allclose(run(ours_resumed, 5), run(theirs_resumed, 5), rtol=1e-13)


def test_the_scheduled_rate_is_the_one_the_optimizer_steps_with():
    p = Tensor([1.0], requires_grad=True)
    opt = SGD([p], lr=1.0)
    schedule = StepLR(opt, step_size=1, gamma=0.5)
    for expected_step in (1.0, 0.5, 0.25):
        before = p.data[0]
        p.grad = np.array([1.0])
        opt.step()
        assert before - p.data[0] == expected_step
        schedule.step()


def test_state_dict_round_trip():
    schedule = CosineAnnealingLR(make_sgd(), T_max=5)
    schedule.step()
    state = schedule.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 1
    other = CosineAnnealingLR(make_sgd(), T_max=9)
    other.load_state_dict(state)
    assert other.T_max == 5 and other.last_epoch == 1


def test_bad_arguments_are_clear_errors():
    with pytest.raises(TypeError, match="StepLR: list is not an Optimizer"):
        StepLR([], step_size=2)
    with pytest.raises(ValueError, match="StepLR: step_size must be >= 1, got 0"):
        StepLR(make_sgd(), step_size=0)
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be >= 1, got 0"):
        CosineAnnealingLR(make_sgd(), T_max=0)
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in "
                                       r"param_groups\[0\] when resuming"):
        StepLR(make_sgd(), step_size=2, last_epoch=3)
    with pytest.raises(ValueError, match="StepLR: invalid gamma -1"):
        StepLR(make_sgd(), step_size=2, gamma=-1)
