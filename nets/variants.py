"""Variants of the residual layer x + F(x) that control how much each branch adds (seed 001's
"gated residuals, scaled residuals (a learned or fixed alpha), residual stream scaling").

All keep the identity path untouched and differ in what multiplies the branch
F(x) = relu(W x + b), the branch of nets.mlp.ResidualLayer:

    ScaledResidualLayer   x + scale * F(x)             a fixed scale, e.g. 1/sqrt(L) for L layers
    ReZeroLayer           x + alpha * F(x)             alpha learned, starting at 0 (ReZero,
                                                       Bachlechner et al. 2020): the layer
                                                       starts as the identity exactly
    GatedResidualLayer    x + sigmoid(Wg x + bg) * F(x)   a learned gate per feature and sample
                                                       on the branch only (unlike HighwayLayer,
                                                       whose gate also scales the carried x)

Each has residual_branch() -> [linear], so the init schemes of nets.init apply to them too.

    >>> layer = ReZeroLayer(8, seed=0)
    >>> x = Tensor(np.ones((2, 8)))
    >>> bool((layer(x).data == x.data).all())      # alpha = 0: the identity
    True
"""
from __future__ import annotations

import numpy as np

from tinygrad_res import Tensor

from .init import Seed, as_rng, constant_
from .layers import Linear, ReLU
from .module import Module
from .parameter import Parameter


class ScaledResidualLayer(Module):
    """x -> x + scale * relu(W x + b), `scale` a fixed number (not a parameter)."""

    def __init__(self, width: int, scale: float, seed: Seed = None) -> None:
        super().__init__()
        self.scale = float(scale)
        self.linear = Linear(width, width, seed=seed)
        self.relu = ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return x + self.scale * self.relu(self.linear(x))

    def residual_branch(self) -> list:
        return [self.linear]

    def extra_repr(self) -> str:
        return f"scale={self.scale:g}"


class ReZeroLayer(Module):
    """x -> x + alpha * relu(W x + b), alpha a learned parameter of shape (1,), `alpha_init`
    (0) at first. At alpha = 0 the gradient reaches W only once alpha has moved: the first
    step trains alpha alone."""

    def __init__(self, width: int, alpha_init: float = 0.0, seed: Seed = None) -> None:
        super().__init__()
        self.linear = Linear(width, width, seed=seed)
        self.relu = ReLU()
        self.alpha = Parameter(Tensor(np.full(1, float(alpha_init))))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.alpha * self.relu(self.linear(x))

    def residual_branch(self) -> list:
        return [self.linear]


class GatedResidualLayer(Module):
    """x -> x + sigmoid(Wg x + bg) * relu(W x + b): a gate in (0, 1) per feature, computed
    from the input, scales the branch; the identity path is left alone. The gate's bias starts
    at `gate_bias` (0: every gate half open)."""

    def __init__(self, width: int, gate_bias: float = 0.0, seed: Seed = None) -> None:
        super().__init__()
        rng = as_rng(seed)
        self.linear = Linear(width, width, seed=rng)
        self.relu = ReLU()
        self.gate = Linear(width, width, seed=rng)
        constant_(self.gate.bias, gate_bias)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.gate(x).sigmoid() * self.relu(self.linear(x))

    def residual_branch(self) -> list:
        return [self.linear]
