"""Activation modules with torch.nn's names and constructor arguments: LeakyReLU, ELU, Softplus,
GELU, SiLU, Hardtanh and ReLU6 (ReLU, Tanh and Sigmoid are in layers.py). Each calls the
Tensor method of the same name; the engine's ops hold the formulas and their derivatives.

`inplace=True` is accepted, as torch.nn takes it, but computed out of place: the engine
records every op on a new tensor, so the input keeps its values.

    >>> from tinygrad_res import Tensor
    >>> GELU(approximate="tanh")
    GELU(approximate='tanh')
    >>> Hardtanh(-2.0, 2.0)(Tensor([-3.0, 0.5, 3.0])).data
    array([-2. ,  0.5,  2. ])
"""
from __future__ import annotations

import numbers

from tinygrad_res import Tensor

from .module import Module


def _number(layer: str, name: str, value) -> float:
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{layer}: {name} must be a number, got {value!r}")
    return value


class _Activation(Module):
    """An activation without parameters; `inplace` is kept for repr and torch's signature."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = bool(inplace)

    def _with_inplace(self, text: str) -> str:
        """extra_repr as torch.nn writes it: inplace shown only when True."""
        return ", ".join(part for part in (text, "inplace=True" if self.inplace else "") if part)


class LeakyReLU(_Activation):
    """x where x > 0, else negative_slope * x (torch.nn.LeakyReLU)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.negative_slope = _number("LeakyReLU", "negative_slope", negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return self._with_inplace(f"negative_slope={self.negative_slope}")


class ELU(_Activation):
    """x where x > 0, else alpha * (e^x - 1) (torch.nn.ELU)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = _number("ELU", "alpha", alpha)

    def forward(self, x: Tensor) -> Tensor:
        return x.elu(self.alpha)

    def extra_repr(self) -> str:
        return self._with_inplace(f"alpha={self.alpha}")


class Softplus(_Activation):
    """log(1 + e^(beta x)) / beta, and x where beta x > threshold (torch.nn.Softplus)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = _number("Softplus", "beta", beta)
        self.threshold = _number("Softplus", "threshold", threshold)

    def forward(self, x: Tensor) -> Tensor:
        return x.softplus(self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(_Activation):
    """x * Phi(x), Phi the standard normal distribution function, or its tanh approximation
    with approximate='tanh' (torch.nn.GELU)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return x.gelu(self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Activation):
    """x * sigmoid(x) (torch.nn.SiLU)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.silu()

    def extra_repr(self) -> str:
        return self._with_inplace("")


class Hardtanh(_Activation):
    """x clamped to [min_val, max_val], gradient 0 at the ends (torch.nn.Hardtanh)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.min_val = _number("Hardtanh", "min_val", min_val)
        self.max_val = _number("Hardtanh", "max_val", max_val)
        if min_val > max_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must not be less than min_val "
                             f"({min_val})")

    def forward(self, x: Tensor) -> Tensor:
        return x.hardtanh(self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return self._with_inplace(f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(_Activation):
    """min(max(x, 0), 6) (torch.nn.ReLU6): Hardtanh(0, 6)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.relu6()

    def extra_repr(self) -> str:
        return self._with_inplace("")
