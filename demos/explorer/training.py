"""Train one explorer run step by step, measuring the gradient of every layer as it goes.

`train_steps(config)` is a generator: each item is one full-batch (or mini-batch) step of the
real engine, with the loss before the update and ||dL/dh_k|| for the output h_k of every layer
of the stack, measured in the same backward pass (nets.Probe; the engine fills the .grad of
intermediate tensors). Step 0's gradient is the gradient at initialisation. The live server's
worker threads and the replay grid both consume it.

    >>> for step in train_steps(RunConfig(depth=4, steps=3)):
    ...     print(step.step, round(step.loss, 4), step.grad_norms.shape)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np

import nets
from nets.probes import Probe

from .config import RunConfig
from .tasks import Problem, build_problem


@dataclass
class Step:
    """One training step: `loss` before the update (None when it was not finite: the run
    diverged and stops), the stack's gradient norms bottom first, and the chance level."""
    step: int
    loss: Optional[float]
    grad_norms: Optional[np.ndarray]
    chance: float


def make_optimizer(config: RunConfig, model: nets.Module):
    """SGD, SGD with momentum 0.9, or Adam at `config.lr`, from nets.optim."""
    if config.optimizer == "adam":
        return nets.optim.Adam(model.parameters(), lr=config.lr)
    momentum = 0.9 if config.optimizer == "momentum" else 0.0
    return nets.optim.SGD(model.parameters(), lr=config.lr, momentum=momentum)


def gradient_norms(problem: Problem, step: int = 0) -> tuple:
    """(loss, ||dL/dh_k|| per layer) of one forward and backward pass, no update."""
    x, target = problem.batch(step)
    problem.model.zero_grad()
    with Probe(problem.layers) as probe:
        loss = problem.loss(problem.model(x), target)
    loss.backward()
    return loss.item(), probe.grad_norm()


def gradients_at_init(config: RunConfig) -> np.ndarray:
    """||dL/dh_k|| per layer of `config`'s network before any step."""
    with np.errstate(all="ignore"):  # an exploding net is shown as such, not warned about
        return gradient_norms(build_problem(config))[1]


def train_steps(config: RunConfig) -> Iterator[Step]:
    """Train `config` for `config.steps` steps, yielding each; stops after a non-finite loss.
    Stop early by closing the generator (or simply no longer iterating it)."""
    problem = build_problem(config)
    optimizer = make_optimizer(config, problem.model)
    for step in range(config.steps):
        with np.errstate(all="ignore"):  # divergence is detected and reported, not warned
            loss, norms = gradient_norms(problem, step)
            if not math.isfinite(loss):
                yield Step(step, None, None, problem.chance)
                return
            optimizer.step()
        yield Step(step, loss, norms, problem.chance)
