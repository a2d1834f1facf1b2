"""Learning-rate schedules, as torch.optim.lr_scheduler: StepLR and CosineAnnealingLR.

A scheduler changes `optimizer.param_groups[0]["lr"]` (the same as `optimizer.lr`) each time
its `step()` is called, once per epoch, after that epoch's `optimizer.step()` calls:

    >>> from nets import Linear
    >>> from nets.optim import SGD
    >>> opt = SGD(Linear(2, 2).parameters(), lr=0.1)
    >>> schedule = StepLR(opt, step_size=2, gamma=0.5)
    >>> for epoch in range(5):
    ...     # ... train one epoch: opt.step() per batch ...
    ...     schedule.step()
    ...     print(schedule.last_epoch, schedule.get_last_lr())
    1 [0.1]
    2 [0.05]
    3 [0.05]
    4 [0.025]
    5 [0.025]

The rules are PyTorch's "chainable" ones: each step computes the next rate from the current
one, so a rate changed by hand in between is carried on (and building a scheduler with
`last_epoch=-1` records the optimizer's rate as `initial_lr`, the base of the schedule).
"""
from __future__ import annotations

import math
from typing import List

from ..sizes import check_size
from .optimizer import Optimizer, check_number


class LRScheduler:
    """Base class: `last_epoch` counts the steps taken (0 once built), `base_lrs` holds each
    group's `initial_lr`; subclasses define `get_lr()`, the rates for the epoch just begun."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: {type(optimizer).__name__} is not an "
                            f"Optimizer")
        last_epoch = check_size(type(self).__name__, "last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{type(self).__name__}: param 'initial_lr' is not specified "
                                   f"in param_groups[{i}] when resuming with last_epoch >= 0 "
                                   f"(build the scheduler with last_epoch=-1 for a new run)")
        self.base_lrs: List[float] = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True  # the step made on construction keeps the current rates
        self.step()
        self._is_initial = False

    def get_lr(self) -> List[float]:
        raise NotImplementedError(f"{type(self).__name__}: get_lr is not implemented")

    def get_last_lr(self) -> List[float]:
        """The rates the last `step()` set, one per parameter group (here always one)."""
        return list(self._last_lr)

    def step(self) -> None:
        """Move to the next epoch and set its learning rates. Call it after the epoch's
        optimizer steps (PyTorch's order since 1.1)."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        """Everything but the optimizer, as in PyTorch."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the rate by `gamma` every `step_size` epochs: lr = initial_lr *
    gamma^(epoch // step_size) when nothing else changes it."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size = check_size("StepLR", "step_size", step_size, 1)
        self.gamma = check_number("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from the initial rate down to `eta_min` over `T_max` epochs:

        lr(t) = eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    computed, as in PyTorch, by the recursion lr(t) from lr(t - 1), so past T_max it climbs
    back up (no restart) and a rate changed by hand is carried on.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max = check_size("CosineAnnealingLR", "T_max", T_max, 1)
        self.eta_min = check_number("CosineAnnealingLR", "eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> List[float]:
        groups, t, T, low = self.optimizer.param_groups, self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return [group["lr"] for group in groups]
        if (t - 1 - T) % (2 * T) == 0:  # at the bottom the ratio below would divide by 0
            return [group["lr"] + (base - low) * (1 - math.cos(math.pi / T)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (group["lr"] - low) + low for group in groups]
