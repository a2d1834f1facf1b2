"""The two networks of seeds 000 and 001: a plain and a residual stack of square layers.

    PlainMLP   layer: x = relu(W x + b)
    ResMLP     layer: x = x + relu(W x + b)       (the "+ x" is the whole difference)

Both have exactly `depth` Linear layers of size width x width, no extra input or output layer,
and list their parameters layer by layer, weight then bias. Each layer is a small module, so
nets/probes.py can watch a layer's output (`layers[i]`), its branch (`layers[i].relu`) or its
pre-activation (`layers[i].linear`) through forward hooks.
"""
from __future__ import annotations

import math
import random

import numpy as np

from tinygrad_res import Tensor, no_grad

from .init import Seed, as_rng, kaiming_normal_, zeros_
from .layers import Linear, ReLU
from .containers import ModuleList
from .module import Module
from .sizes import check_size


class PlainLayer(Module):
    """x -> relu(W x + b)"""

    def __init__(self, width: int, seed: Seed = None) -> None:
        super().__init__()
        self.linear = Linear(width, width, seed=seed)
        self.relu = ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.linear(x))


class ResidualLayer(Module):
    """x -> x + relu(W x + b): the branch relu(W x + b) is added to the untouched input."""

    def __init__(self, width: int, seed: Seed = None) -> None:
        super().__init__()
        self.linear = Linear(width, width, seed=seed)
        self.relu = ReLU()

    def forward(self, x: Tensor) -> Tensor:
        # BEGIN TASK 4.1
        return x + self.relu(self.linear(x))
        # END TASK 4.1

    def residual_branch(self) -> list:
        return [self.linear]


class _MLP(Module):
    layer_type = PlainLayer

    def __init__(self, depth: int, width: int, seed: Seed = None) -> None:
        super().__init__()
        name = type(self).__name__
        self.depth = depth = check_size(name, "depth", depth, 1)
        self.width = width = check_size(name, "width", width, 1)
        rng = as_rng(seed)
        self.layers = ModuleList(self.layer_type(width, seed=rng) for _ in range(depth))

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def linears(self) -> list:
        """The `depth` Linear layers, first to last."""
        return [layer.linear for layer in self.layers]


class PlainMLP(_MLP):
    """`depth` layers x = relu(Linear(x)), all width x width (seed 000 and 001's plain net).

    >>> model = PlainMLP(depth=5, width=8, seed=0)
    >>> model(Tensor(np.ones((32, 8)))).shape
    (32, 8)
    """
    layer_type = PlainLayer


class ResMLP(_MLP):
    """`depth` layers x = x + relu(Linear(x)), all width x width (the residual net of seeds 000
    and 001)."""
    layer_type = ResidualLayer


def kaiming_mlp(depth: int, width: int, residual: bool, branch_scale: float = 1.0,
                seed: Seed = 0):
    """A PlainMLP or ResMLP with weights N(0, branch_scale * sqrt(2 / width)) drawn layer by
    layer from numpy's default_rng(seed), and zero biases."""
    model = (ResMLP if residual else PlainMLP)(depth, width)
    rng = as_rng(seed)
    for layer in model.linears():
        kaiming_normal_(layer.weight, seed=rng)
        with no_grad():
            layer.weight.mul_(branch_scale)
        zeros_(layer.bias)
    return model


def seed000_network(depth: int, residual: bool, width: int = 8, seed: int = 13,
                    exact: bool = True):
    """The network of seed 000, before training.

    Plain: Kaiming N(0, sqrt(2 / width)); residual: the same scaled by 1 / sqrt(depth);
    zero biases. With `exact=True` the weights are drawn as the seed text draws them, bit for
    bit: Python's `random` seeded with `seed` (13 in the text), then for each layer, row by row,
    `random.gauss(0.0, scale)`. A private `random.Random` is used, so the global stream is left
    alone. With `exact=False` they come from numpy's default_rng(seed) instead.
    """
    depth = check_size("seed000_network", "depth", depth, 1)
    width = check_size("seed000_network", "width", width, 1)
    scale_factor = 1.0 / math.sqrt(depth) if residual else 1.0
    if not exact:
        return kaiming_mlp(depth, width, residual, scale_factor, seed)
    model = (ResMLP if residual else PlainMLP)(depth, width)
    stream = random.Random(seed)
    scale = scale_factor * math.sqrt(2.0 / width)
    for layer in model.linears():
        rows = [[stream.gauss(0.0, scale) for _ in range(width)] for _ in range(width)]
        with no_grad():
            layer.weight.copy_(np.array(rows, dtype=np.float64))
        zeros_(layer.bias)
    return model


def seed001_network(residual: bool, depth: int = 20, width: int = 64, seed: Seed = 0):
    """The network of seed 001 ("distant identity"): Kaiming normal scaled by 1 / sqrt(depth)
    for both families, zero biases, no normalisation."""
    depth = check_size("seed001_network", "depth", depth, 1)
    width = check_size("seed001_network", "width", width, 1)
    return kaiming_mlp(depth, width, residual, 1.0 / math.sqrt(depth), seed)
