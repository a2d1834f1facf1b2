"""Scaled dot-product attention, as torch.nn.functional.scaled_dot_product_attention.

    out = softmax(q @ k^T * scale + mask) @ v,    scale = 1 / sqrt(E) by default

A composite: it is written with the engine's own ops (matmul, where, softmax), so its gradient
is autodiff's and each of those ops shows in a graph view. q is (..., L, E), k (..., S, E) and
v (..., S, Ev); the output is (..., L, Ev).

    >>> import numpy as np
    >>> q = k = v = Tensor(np.eye(3)[None])
    >>> scaled_dot_product_attention(q, k, v, is_causal=True).data[0, 0]   # row 0 sees key 0
    array([1., 0., 0.])
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .functional import where
from .tensor import Tensor


def causal_mask(target: int, source: int) -> np.ndarray:
    """(target, source) bool: query i may attend to keys 0..i (top-left aligned, as PyTorch)."""
    return np.tril(np.ones((target, source), dtype=bool))


def _check(q: Tensor, k: Tensor, v: Tensor) -> None:
    op = "scaled_dot_product_attention"
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise ValueError(f"{op}: query, key and value need at least 2 dims (..., L, E), got "
                         f"shapes {q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"{op}: query {q.shape} and key {k.shape} must have the same last "
                         f"dim (the embedding E)")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{op}: key {k.shape} and value {v.shape} must have the same "
                         f"sequence length (dim -2)")


def attention_weights(query: Tensor, key: Tensor, attn_mask=None, is_causal: bool = False,
                      scale: Optional[float] = None) -> Tensor:
    """softmax(q @ k^T * scale + mask) over the keys, (..., L, S): the weights that
    scaled_dot_product_attention applies to the values (see there for the arguments).
    nets.MultiheadAttention returns them when asked (need_weights=True)."""
    op = "scaled_dot_product_attention"
    if is_causal and attn_mask is not None:
        raise ValueError(f"{op}: give attn_mask or is_causal=True, not both (as in PyTorch)")
    target, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = causal_mask(target, source)
    if attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            raise ValueError(f"{op}: attn_mask {mask.shape} does not broadcast to the scores "
                             f"{scores.shape} (..., L, S)") from None
        if mask.dtype == bool:
            scores = where(mask, scores, -math.inf)
        elif mask.dtype.kind == "f":  # added as given: a Tensor mask gets its gradient
            scores = scores + attn_mask
        else:
            raise TypeError(f"{op}: attn_mask must be bool or float, got {mask.dtype}")
    # a query whose every key is masked attends to nothing: zero weights (PyTorch's "safe
    # softmax"), where a plain softmax of a row of -inf would give NaN
    dead = np.isneginf(scores.data).all(axis=-1, keepdims=True)
    if dead.any():
        return where(dead, 0.0, where(dead, 0.0, scores).softmax(axis=-1))
    return scores.softmax(axis=-1)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask=None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: Optional[float] = None) -> Tensor:
    """Attention of each query over the keys, as torch.nn.functional.scaled_dot_product_attention.

    attn_mask broadcasts to (..., L, S): a bool mask keeps the scores where it is True (and
    makes the others -inf before the softmax), a float mask (an array or a Tensor) is added to
    the scores. is_causal=True masks the keys after each query (L x S, top-left aligned); it
    cannot be combined with attn_mask. A query whose every key is masked gets zeros (no
    weight anywhere), as in PyTorch. dropout_p must be 0: the engine has no dropout.
    """
    _check(query, key, value)
    if dropout_p != 0.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be 0.0 (the engine has "
                         f"no dropout), got {dropout_p}")
    return attention_weights(query, key, attn_mask, is_causal, scale) @ value


__all__ = ["scaled_dot_product_attention", "attention_weights", "causal_mask"]
