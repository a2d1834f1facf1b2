"""Dropout, as torch.nn.Dropout and torch.nn.functional.dropout.

In training mode each entry is zeroed with probability p and the others are scaled by
1 / (1 - p), so the expected output equals the input; in eval mode the input passes through
unchanged. The mask is drawn as a numpy array and multiplied in: it is a constant of the graph
(the op is an ordinary `mul`), so the gradient is the same mask times the output's gradient.

    >>> import numpy as np
    >>> drop = Dropout(0.5, seed=0)
    >>> drop(Tensor(np.ones(6))).data          # kept entries are scaled by 1 / (1 - 0.5)
    array([2., 0., 0., 0., 2., 2.])
    >>> drop.eval()(Tensor(np.ones(3))).data
    array([1., 1., 1.])

`seed` makes the masks reproducible: an int (a new stream), a numpy Generator (shared with
other layers) or None (fresh randomness), as everywhere in nets. PyTorch draws from its global
generator instead, so the masks themselves differ from PyTorch's.
"""
from __future__ import annotations

import numpy as np

from tinygrad_res import Tensor

from .init import Seed, as_rng
from .module import Module
from .sizes import check_probability


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            seed: Seed = None) -> Tensor:
    """torch.nn.functional.dropout: zero entries with probability p, scale the rest by
    1 / (1 - p) (training); the input itself when not training or p = 0."""
    p = check_probability("dropout", "p", p)
    if not isinstance(input, Tensor):
        raise TypeError(f"dropout: input must be a Tensor, not {type(input).__name__}")
    if not training or p == 0.0:
        return input
    if p == 1.0:  # every entry dropped: zeros, and a zero gradient (1 / (1 - p) is not finite)
        return input * np.zeros(input.shape, dtype=input.dtype)
    keep = as_rng(seed).random(input.shape) >= p
    return input * (keep.astype(input.dtype) / input.dtype.type(1.0 - p))


class Dropout(Module):
    """Randomly zero entries in training mode (probability `p`, PyTorch's default 0.5) and scale
    the rest by 1 / (1 - p); the identity in eval mode."""

    def __init__(self, p: float = 0.5, seed: Seed = None) -> None:
        super().__init__()
        self.p = check_probability("Dropout", "p", p)
        self.rng = as_rng(seed)

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
