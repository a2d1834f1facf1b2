"""Composite ops: functions written with the engine's own ops, with no backward of their own.

An op class (ops/) is needed where a new local derivative is: its forward and backward sit
side by side. A function that is a formula of existing ops needs none: autodiff differentiates
the ops it is made of, and the graph views show those ops, one per step. Such functions live
here, each a few lines; Tensor methods of the same name call them.

    >>> from tinygrad_res import Tensor
    >>> x = Tensor([[0.0, 0.0], [1.0, 3.0]], requires_grad=True)
    >>> logsumexp(x, dim=1).data.round(4)
    array([0.6931, 3.1269])
"""
from __future__ import annotations

import math

import numpy as np

from . import ops
from .dims import dim_index, dim_list, reduced_dims
from .tensor import Tensor


def logsumexp(x: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over `dim`, as torch.logsumexp: computed as m + log(sum(exp(x - m)))
    with m the maximum, so that no exp overflows. m is a constant (no gradient flows through
    it): the gradient, softmax(x), does not depend on it. An infinite or missing maximum (a
    size-0 dim, whose sum is 0 and log -inf, as in PyTorch) is replaced by 0."""
    axes = reduced_dims("logsumexp", dim, x.ndim, keepdim)
    if all(x.shape[i] for i in axes):
        m = x.data.max(axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0.0)
    else:
        m = np.zeros([1 if i in axes else n for i, n in enumerate(x.shape)], dtype=x.dtype)
    with np.errstate(divide="ignore"):  # log(0) = -inf over a size-0 dim
        out = (x - m).exp().sum(dim=dim, keepdim=True).log() + m
    return out if keepdim else out.reshape([n for i, n in enumerate(x.shape) if i not in axes])


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dims start_dim..end_dim (both included) merged into one, as torch.flatten: a reshape.
    A 0-d tensor becomes shape (1,).

    >>> flatten(Tensor(np.zeros((2, 3, 4))), 1).shape
    (2, 12)
    """
    start, end = (dim_index("flatten", d, x.ndim) for d in (start_dim, end_dim))
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                         f"for shape {x.shape}")
    shape = x.shape[:start] + (math.prod(x.shape[start:end + 1]),) + x.shape[end + 1:]
    return x.reshape(shape)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """A new dim of size 1 at position `dim` (-1: last), as torch.unsqueeze: a reshape."""
    at = dim_index("unsqueeze", dim, x.ndim, new=True)
    return x.reshape(x.shape[:at] + (1,) + x.shape[at:])


def squeeze(x: Tensor, dim=None) -> Tensor:
    """The dims of size 1 removed, as torch.squeeze: all of them for dim=None, else those of
    `dim` (an int or a tuple) that have size 1; a named dim of another size stays. A reshape."""
    dims = range(x.ndim) if dim is None else dim_list("squeeze", dim, x.ndim)
    drop = {d for d in dims if x.ndim and x.shape[d] == 1}
    return x.reshape([n for i, n in enumerate(x.shape) if i not in drop])


def silu(x: Tensor) -> Tensor:
    """x * sigmoid(x) (also called swish), as torch.nn.functional.silu."""
    return x * x.sigmoid()


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6), as torch.nn.functional.relu6: hardtanh(x, 0, 6), whose gradient is 0
    at 0 and at 6, as in PyTorch."""
    return ops.Hardtanh.apply(x, min_val=0.0, max_val=6.0)
