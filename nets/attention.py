"""torch.nn.MultiheadAttention on the engine: the same parameters (in_proj_weight (3E, E),
in_proj_bias (3E,), out_proj: Linear(E, E)), the same masks, the same outputs.

    q, k, v = x Wq^T + bq, x Wk^T + bk, x Wv^T + bv       (the three rows blocks of in_proj)
    head h:  softmax(q_h k_h^T / sqrt(E / H) + mask) v_h   (tinygrad_res.attention)
    output:  concat(heads) Wo^T + bo                        (out_proj)

    >>> import numpy as np
    >>> mha = MultiheadAttention(8, 2, batch_first=True, seed=0)
    >>> x = Tensor(np.ones((3, 5, 8)))                  # (N, L, E)
    >>> out, weights = mha(x, x, x)                     # self-attention
    >>> out.shape, weights.shape                        # weights averaged over the heads
    ((3, 5, 8), (3, 5, 5))
"""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from tinygrad_res import Tensor, linear
from tinygrad_res.attention import attention_weights

from .init import Seed, as_rng, xavier_uniform_, zeros_
from .layers import Linear
from .module import Module
from .parameter import Parameter


def additive_mask(mask, name: str) -> np.ndarray:
    """PyTorch's MultiheadAttention masks as one float mask: a bool True means "do not attend"
    (-inf), a float is added as it is."""
    mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if mask.dtype == bool:
        return np.where(mask, -np.inf, 0.0)
    if mask.dtype.kind != "f":
        raise TypeError(f"MultiheadAttention: {name} must be bool or float, got {mask.dtype}")
    return mask


class MultiheadAttention(Module):
    """Multi-head attention as torch.nn.MultiheadAttention(embed_dim, num_heads, bias,
    batch_first) without dropout: inputs (L, N, E), or (N, L, E) with batch_first=True.

    forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False) -> (output, weights or None), with PyTorch's
    conventions: attn_mask (L, S) or (N * num_heads, L, S), key_padding_mask (N, S), bool True
    = not attended, float = added to the scores; is_causal is only a hint that attn_mask is
    the causal mask, which must be given too.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True,
                 batch_first: bool = False, seed: Seed = None) -> None:
        super().__init__()
        if embed_dim < 1 or num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim must be divisible by num_heads, "
                             f"got embed_dim={embed_dim}, num_heads={num_heads}")
        rng = as_rng(seed)
        self.embed_dim, self.num_heads, self.batch_first = embed_dim, num_heads, batch_first
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = xavier_uniform_(
            Parameter(Tensor(np.zeros((3 * embed_dim, embed_dim)))), seed=rng)
        self.in_proj_bias = (zeros_(Parameter(Tensor(np.zeros(3 * embed_dim))))
                             if bias else None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, seed=rng)
        if bias:
            zeros_(self.out_proj.bias)

    def _heads(self, x: Tensor, part: int) -> Tensor:
        """(N, T, E) -> (N, H, T, E / H) through block `part` (0: q, 1: k, 2: v) of in_proj."""
        e = self.embed_dim
        weight = self.in_proj_weight[part * e:(part + 1) * e]
        bias = None if self.in_proj_bias is None else self.in_proj_bias[part * e:(part + 1) * e]
        n, t, _ = x.shape
        return linear(x, weight, bias).reshape(n, t, self.num_heads, self.head_dim) \
            .permute(0, 2, 1, 3)

    def _mask(self, attn_mask, key_padding_mask, n: int, target: int, source: int):
        """One float mask broadcasting to (N, H, L, S), or None."""
        total = None
        if attn_mask is not None:
            mask = additive_mask(attn_mask, "attn_mask")
            if mask.shape == (n * self.num_heads, target, source):
                mask = mask.reshape(n, self.num_heads, target, source)
            elif mask.shape != (target, source):
                raise ValueError(f"MultiheadAttention: attn_mask must be ({target}, {source}) "
                                 f"or ({n * self.num_heads}, {target}, {source}), got "
                                 f"{mask.shape}")
            total = mask
        if key_padding_mask is not None:
            mask = additive_mask(key_padding_mask, "key_padding_mask")
            if mask.shape != (n, source):
                raise ValueError(f"MultiheadAttention: key_padding_mask must be (N, S) = "
                                 f"({n}, {source}), got {mask.shape}")
            mask = mask[:, None, None, :]
            total = mask if total is None else total + mask
        return total

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask=None,
                need_weights: bool = True, attn_mask=None, average_attn_weights: bool = True,
                is_causal: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
        if any(t.ndim != 3 for t in (query, key, value)):
            layout = "(N, L, E)" if self.batch_first else "(L, N, E)"
            raise ValueError(f"MultiheadAttention: query, key and value must be 3-d {layout}, "
                             f"got {query.shape}, {key.shape}, {value.shape}")
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal=True is only a hint that attn_mask "
                             "is the causal mask (as in PyTorch): pass attn_mask too")
        if not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if query.shape[-1] != self.embed_dim or key.shape[:2] != value.shape[:2]:
            raise ValueError(f"MultiheadAttention: expected embed_dim {self.embed_dim} and key "
                             f"and value of one length, got query {query.shape}, key "
                             f"{key.shape}, value {value.shape}")
        n, target, source = query.shape[0], query.shape[1], key.shape[1]
        mask = self._mask(attn_mask, key_padding_mask, n, target, source)
        weights = attention_weights(self._heads(query, 0), self._heads(key, 1), mask)
        heads = weights @ self._heads(value, 2)                       # (N, H, L, E / H)
        out = self.out_proj(heads.permute(0, 2, 1, 3).reshape(n, target, self.embed_dim))
        if not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        return out, (weights.mean(axis=1) if average_attn_weights else weights)

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"batch_first={self.batch_first}")
