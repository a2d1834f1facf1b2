"""Transformer blocks, pre-norm and post-norm, and a small causal language model (seeds 000,
001, 004: "pre-norm is what every transformer trained today uses"; x = x + attn(norm(x))).

    pre-norm  (GPT-2 on, Xiong et al. 2020's Pre-LN)   x = x + attn(norm1(x))
                                                        x = x + mlp(norm2(x))
    post-norm (the original Transformer, Post-LN)      x = norm1(x + attn(x))
                                                        x = norm2(x + mlp(x))
    mlp(x) = linear2(relu(linear1(x)))

In pre-norm the residual stream from the embedding to the output is a chain of additions, the
skip path untouched (as in the pre-activation ResNet); in post-norm every block's LayerNorm sits
on it. TransformerBlock's parameters have torch.nn.TransformerEncoderLayer's names (self_attn,
linear1, linear2, norm1, norm2; norm_first = pre_norm), so PyTorch's weights load into it.

    >>> import numpy as np
    >>> lm = CausalLM(vocab_size=12, d_model=16, nhead=2, num_layers=2, max_len=8, seed=0)
    >>> lm(np.array([[1, 2, 3]])).shape                  # ids (N, T) -> logits (N, T, vocab)
    (1, 3, 12)
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from tinygrad_res import Tensor
from tinygrad_res.attention import causal_mask

from .attention import MultiheadAttention
from .embedding import Embedding
from .init import Seed, as_rng
from .layers import Identity, LayerNorm, Linear
from .containers import ModuleList
from .module import Module


class TransformerBlock(Module):
    """One transformer layer on (N, T, d_model): self-attention and an MLP, each inside a
    residual connection, with LayerNorm before (pre_norm=True) or after (False) each."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: Optional[int] = None,
                 pre_norm: bool = True, layer_norm_eps: float = 1e-5,
                 seed: Seed = None) -> None:
        super().__init__()
        rng = as_rng(seed)
        self.pre_norm = pre_norm
        self.self_attn = MultiheadAttention(d_model, nhead, batch_first=True, seed=rng)
        hidden = dim_feedforward or 4 * d_model
        self.linear1 = Linear(d_model, hidden, seed=rng)
        self.linear2 = Linear(hidden, d_model, seed=rng)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps)

    def _attend(self, x: Tensor, causal: bool) -> Tensor:
        mask = ~causal_mask(x.shape[1], x.shape[1]) if causal else None  # True: not attended
        return self.self_attn(x, x, x, attn_mask=mask, need_weights=False,
                              is_causal=causal)[0]

    def _mlp(self, x: Tensor) -> Tensor:
        return self.linear2(self.linear1(x).relu())

    def forward(self, x: Tensor, is_causal: bool = False) -> Tensor:
        if self.pre_norm:
            x = x + self._attend(self.norm1(x), is_causal)
            return x + self._mlp(self.norm2(x))
        x = self.norm1(x + self._attend(x, is_causal))
        return self.norm2(x + self._mlp(x))

    def extra_repr(self) -> str:
        return f"pre_norm={self.pre_norm}"


class CausalLM(Module):
    """Token and position embeddings, `num_layers` TransformerBlocks with the causal mask,
    a final LayerNorm for pre-norm stacks (GPT-2's ln_f: the stream is not normalised
    otherwise; a post-norm stack already ends with one), and a Linear head to the vocabulary.
    """

    array_input = True  # token ids come as integer arrays, as for Embedding

    def __init__(self, vocab_size: int, d_model: int = 64, nhead: int = 4, num_layers: int = 2,
                 max_len: int = 64, pre_norm: bool = True,
                 dim_feedforward: Optional[int] = None, seed: Seed = None) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"CausalLM: num_layers must be at least 1, got {num_layers}")
        rng = as_rng(seed)
        self.max_len, self.pre_norm = max_len, pre_norm
        self.token = Embedding(vocab_size, d_model, seed=rng)
        self.position = Embedding(max_len, d_model, seed=rng)
        self.blocks = ModuleList(TransformerBlock(d_model, nhead, dim_feedforward, pre_norm,
                                                  seed=rng) for _ in range(num_layers))
        self.norm = LayerNorm(d_model) if pre_norm else Identity()
        self.head = Linear(d_model, vocab_size, seed=rng)

    def forward(self, ids) -> Tensor:
        ids = np.asarray(ids.data if isinstance(ids, Tensor) else ids)
        if ids.ndim != 2 or ids.shape[1] > self.max_len:
            raise ValueError(f"CausalLM: ids must be (N, T) with T <= max_len = "
                             f"{self.max_len}, got shape {ids.shape}")
        x = self.token(ids) + self.position(np.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x, is_causal=True)
        return self.head(self.norm(x))
