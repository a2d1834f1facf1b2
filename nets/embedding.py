"""torch.nn.Embedding: a lookup table of learned vectors, one row per token id.

    >>> import numpy as np
    >>> table = Embedding(10, 4, seed=0)
    >>> table(np.array([[1, 2, 1]])).shape        # ids (N, T) -> vectors (N, T, 4)
    (1, 3, 4)

Looking a row up is indexing, weight[ids]; its backward adds the gradient of every position
back onto the row it read (a token used twice gets both contributions).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from tinygrad_res import Tensor, where

from .init import Seed, normal_
from .module import Module


class Embedding(Module):
    """weight (num_embeddings, embedding_dim), initialised N(0, 1) as PyTorch; padding_idx's
    row starts at zero and gets no gradient, as in PyTorch."""

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: Optional[int] = None, seed: Seed = None) -> None:
        super().__init__()
        if num_embeddings < 1 or embedding_dim < 1:
            raise ValueError(f"Embedding: num_embeddings and embedding_dim must be at least 1, "
                             f"got {num_embeddings} and {embedding_dim}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be within num_embeddings "
                                 f"({num_embeddings}), got {padding_idx}")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = padding_idx
        self.weight = normal_(Tensor(np.zeros((num_embeddings, embedding_dim)),
                                     requires_grad=True), 0.0, 1.0, seed)
        if padding_idx is not None:
            self.weight.data[padding_idx] = 0.0

    def forward(self, ids) -> Tensor:
        ids = np.asarray(ids.data if isinstance(ids, Tensor) else ids)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"Embedding: ids must be integers, got {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_embeddings):
            raise IndexError(f"Embedding: ids must lie in [0, {self.num_embeddings}), got "
                             f"values from {ids.min()} to {ids.max()}")
        vectors = self.weight[ids]
        if self.padding_idx is None:
            return vectors
        # the padding row is read as it is, as a constant: it gets no gradient
        return where((ids == self.padding_idx)[..., None], vectors.detach(), vectors)

    def extra_repr(self) -> str:
        extra = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{extra}"
