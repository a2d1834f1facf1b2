"""Functions that take several tensors (the methods of Tensor take one)."""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from . import ops
from .tensor import Tensor


def _tensors(op: str, items: Sequence) -> list:
    if isinstance(items, Tensor) or not isinstance(items, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(items).__name__}")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in items]


def concat(tensors: Sequence, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (numpy.concatenate, torch.cat)."""
    return ops.Concat.apply(*_tensors("concat", tensors), axis=axis)


def stack(tensors: Sequence, axis: int = 0) -> Tensor:
    """Join same-shaped tensors along a new axis (numpy.stack, torch.stack)."""
    return ops.Stack.apply(*_tensors("stack", tensors), axis=axis)


def _pair(a, b) -> tuple:
    """Make both operands tensors; a plain number takes the float type of the other."""
    if isinstance(a, Tensor):
        return a, a._lift(b)
    if isinstance(b, Tensor):
        return b._lift(a), b
    return Tensor(a), Tensor(b)


def where(cond, a, b) -> Tensor:
    """Entries of `a` where `cond` is true, else of `b`. `cond` (a bool array or Tensor) gets
    no gradient; `a` and `b` may be numbers. All three broadcast."""
    cond_array = np.asarray(cond.data if isinstance(cond, Tensor) else cond).astype(bool)
    a, b = _pair(a, b)
    try:
        np.broadcast_shapes(cond_array.shape, a.shape, b.shape)
    except ValueError:
        raise ValueError(f"where: cannot broadcast cond {cond_array.shape} with "
                         f"{a.shape} with {b.shape}") from None
    return ops.Where.apply(a, b, cond=cond_array)


def maximum(a, b) -> Tensor:
    """Entrywise maximum; at ties each side gets half the gradient, as in PyTorch."""
    return ops.Maximum.apply(*_pair(a, b))


def linear(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """x @ weight.T + bias in one op (torch.nn.functional.linear)."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return ops.Linear.apply(*inputs)
