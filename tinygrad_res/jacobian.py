"""The full Jacobian of a function, one backward pass per output entry.

Reverse mode gives one row of the Jacobian per backward pass: seeding backward with the unit
vector e_k returns e_k^T J, the gradient of output entry k with respect to the input. Stacking
those rows for every k gives J. This is how seed 002's block Jacobian I + diag(relu') W2
diag(relu') W1 is measured rather than derived.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .autograd import grad
from .tensor import Tensor


def jacobian(fn: Callable, x) -> np.ndarray:
    """d fn(x) / d x as an array of shape fn(x).shape + x.shape (torch.autograd.functional's
    jacobian, for one input).

    `x` is a Tensor or anything Tensor() accepts. The function runs on a fresh leaf copy of
    `x`, so `x.grad` and `x`'s own graph are left alone. An output that does not depend on
    `x` gives zeros.

    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> jacobian(lambda t: Tensor(A) @ t, np.array([1.0, -1.0]))
    array([[1., 2.],
           [3., 4.]])
    """
    if isinstance(x, Tensor):
        leaf = Tensor(x.data, requires_grad=True, dtype=x.dtype)
    else:
        leaf = Tensor(x, requires_grad=True)
    out = fn(leaf)
    if not isinstance(out, Tensor):
        raise TypeError(f"jacobian: fn must return a Tensor, got {type(out).__name__}")
    result = np.zeros(out.shape + leaf.shape, dtype=leaf.dtype)
    if not out.requires_grad:
        return result
    for k in np.ndindex(*out.shape):
        seed = np.zeros(out.shape, dtype=out.dtype)
        seed[k] = 1.0
        result[k] = grad(out, [leaf], seed)[0]
    return result
