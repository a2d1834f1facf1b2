"""The networks and data behind one explorer run, all from nets.

A network is an optional input layer, a stack of `depth` layers or blocks (the part a skip
connection can bridge, and the part whose gradient the visualizer draws), and an optional output
layer:

    spirals   Linear(2, w), relu | stack | Linear(w, 1)     binary cross-entropy on the logit
    digits    Linear(64, w), relu | stack | Linear(w, 10)   cross-entropy, batches of 64
    identity, distant_identity      stack only (w x w)      MSE against the input

The stack is nets.PlainMLP / nets.ResMLP for the "layer" block, else a nets.ResidualStack of
PostActBlock or PreActBlock whose shortcuts are replaced by `NoShortcut` when skip is off. All
weights come from one numpy Generator in module order, so a plain and a residual run of one seed
start from the same draws (init "kaiming_scaled" then divides the residual stack's weights by
sqrt(depth)): the skip is the only other difference.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable, List, Tuple

import numpy as np

import nets
from nets.init import kaiming_normal_, zeros_
from nets.losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss
from tinygrad_res import Tensor

from .config import RunConfig

DIGITS_BATCH = 64
UNIFORM_BATCH = 64


class NoShortcut(nets.Module):
    """The shortcut of a block with its skip connection taken out: it carries nothing (a
    constant zero, so no gradient flows back through it either)."""

    def forward(self, x: Tensor) -> Tensor:
        return Tensor(np.zeros(x.shape), dtype=x.dtype)


@dataclass
class Problem:
    """A network ready to train: `batch(step)` gives (input, target), `loss(output, target)`.
    `layers` are the stack's layers or blocks, bottom first; `chance` is the loss of a net
    that has learned nothing (log 2 for the spirals, the mean of x^2 for the identities)."""
    model: nets.Module
    layers: List[nets.Module]
    batch: Callable[[int], Tuple[Tensor, object]]
    loss: Callable
    chance: float


def _stack(config: RunConfig, rng: np.random.Generator) -> Tuple[nets.Module, list]:
    if config.block == "layer":
        family = nets.ResMLP if config.skip else nets.PlainMLP
        stack = family(config.depth, config.width, seed=rng)
        return stack, list(stack.layers)
    stack = nets.ResidualStack(config.depth, config.width, block=config.block, seed=rng)
    if not config.skip:
        for block in stack.blocks:
            block.shortcut = NoShortcut()
    return stack, list(stack.blocks)


def _initialise(model: nets.Module, stack: nets.Module, config: RunConfig,
                rng: np.random.Generator) -> None:
    if config.init == "default":
        return  # nets.Linear's own init, drawn when the layers were made
    for module in model.modules():
        if isinstance(module, nets.Linear):
            kaiming_normal_(module.weight, seed=rng)
            if module.bias is not None:
                zeros_(module.bias)
    if config.init == "kaiming_scaled" and config.skip:
        for module in stack.modules():
            if isinstance(module, nets.Linear):
                module.weight.data = module.weight.data / math.sqrt(config.depth)


@functools.lru_cache(maxsize=1)
def _digits() -> Tuple[np.ndarray, np.ndarray]:
    from nets.digits import load_digits
    data = load_digits()
    return data.x_train.reshape(len(data.x_train), -1), data.y_train


def _data(config: RunConfig, rng: np.random.Generator):
    """(batch(step), inputs, outputs, loss, chance) of the task."""
    if config.task == "spirals":
        x, y = nets.data.make_spirals()  # seed 004's 400 points, full batch
        inputs, target = Tensor(x), Tensor(y.reshape(-1, 1).astype(np.float64))
        return (lambda step: (inputs, target)), 2, 1, binary_cross_entropy_with_logits, \
            math.log(2.0)
    if config.task == "digits":
        x, y = _digits()

        def batch(step: int):
            pick = rng.choice(len(x), size=DIGITS_BATCH, replace=False)
            return Tensor(x[pick]), y[pick]
        return batch, x.shape[1], 10, cross_entropy, math.log(10.0)
    if config.task == "identity":
        x = Tensor(nets.data.identity_data(32, config.width))
        return (lambda step: (x, x)), None, None, mse_loss, \
            nets.data.zero_prediction_loss(x.data)

    def fresh(step: int):
        x = Tensor(rng.uniform(-1.0, 1.0, size=(UNIFORM_BATCH, config.width)))
        return x, x
    return fresh, None, None, mse_loss, 1.0 / 3.0


def build_problem(config: RunConfig) -> Problem:
    """The network, data and loss of `config`, initialised from `config.seed`.

    >>> problem = build_problem(RunConfig(task="spirals", depth=8, skip=True))
    >>> x, target = problem.batch(0)
    >>> problem.loss(problem.model(x), target).item()    # about log 2 at the start
    """
    rng = np.random.default_rng(config.seed)
    batch, n_in, n_out, loss, chance = _data(config, np.random.default_rng(config.seed + 1))
    parts = []
    if n_in is not None:
        parts += [nets.Linear(n_in, config.width, seed=rng), nets.ReLU()]
    stack, layers = _stack(config, rng)
    parts.append(stack)
    if n_out is not None:
        parts.append(nets.Linear(config.width, n_out, seed=rng))
    model = nets.Sequential(*parts)
    _initialise(model, stack, config, rng)
    return Problem(model, layers, batch, loss, chance)
