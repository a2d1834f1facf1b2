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

from .tensor import Tensor


def logsumexp(x: Tensor, dim, keepdim: bool = False) -> Tensor:
    """log(sum(exp(x))) over `dim`, as torch.logsumexp: computed as m + log(sum(exp(x - m)))
    with m the maximum, so that no exp overflows. m is held constant (detached): the
    gradient, softmax(x), does not depend on it."""
    m = x.max(axis=dim, keepdims=True).detach()
    out = (x - m).exp().sum(axis=dim, keepdims=True).log() + m
    return out if keepdim else out.reshape(x.max(axis=dim).shape)
