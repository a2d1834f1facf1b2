"""torch.nn.Embedding: a lookup table of learned vectors, one row per token id.

    >>> import numpy as np
    >>> table = Embedding(10, 4, seed=0)
    >>> table(np.array([[1, 2, 1]])).shape        # ids (N, T) -> vectors (N, T, 4)
    (1, 3, 4)

Looking a row up is indexing, weight[ids]; its backward scatter-adds the gradient of every
position back onto the row it read (np.add.at: a token used twice gets both contributions).
Ids are an integer numpy array, a list or an int; a Tensor of whole numbers works too (a
Tensor here always holds floats, where PyTorch wants a LongTensor).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from tinygrad_res import Tensor, where

from .init import Seed, normal_
from .module import Module
from .parameter import Parameter
from .sizes import check_size


class Embedding(Module):
    """weight (num_embeddings, embedding_dim), initialised N(0, 1) as in PyTorch.

    `padding_idx` (negative counts from the end, as in PyTorch) names a row that starts at
    zero and never gets a gradient: positions holding it read the row as a constant.
    """

    array_input = True  # ids come as integer arrays

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: Optional[int] = None, seed: Seed = None,
                 dtype=np.float64) -> None:
        super().__init__()
        self.num_embeddings = check_size("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = check_size("Embedding", "embedding_dim", embedding_dim)
        self.padding_idx = self._padding_index(padding_idx)
        self.weight = normal_(Parameter(Tensor(np.zeros((self.num_embeddings,
                                                         self.embedding_dim)), dtype=dtype)),
                              0.0, 1.0, seed)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0.0

    def _padding_index(self, padding_idx) -> Optional[int]:
        if padding_idx is None:
            return None
        n = self.num_embeddings
        index = check_size("Embedding", "padding_idx", padding_idx, -n)
        if index >= n:
            raise ValueError(f"Embedding: padding_idx must be within num_embeddings ({n}), "
                             f"got {padding_idx}")
        return index % n

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True,
                        padding_idx: Optional[int] = None) -> "Embedding":
        """A table whose weight is `embeddings` (2-d; a Tensor's memory is shared, as in
        PyTorch, an array is copied), frozen unless `freeze=False`, as
        torch.nn.Embedding.from_pretrained (the padding row is kept as given)."""
        values = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if values.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-d "
                             f"(num_embeddings, embedding_dim), got shape {values.shape}")
        table = cls(values.shape[0], values.shape[1], padding_idx=padding_idx,
                    dtype=values.dtype if values.dtype.kind == "f" else np.float64)
        source = embeddings if isinstance(embeddings, Tensor) else \
            Tensor(values, dtype=table.weight.dtype)
        table.weight = Parameter(source, requires_grad=not freeze)
        return table

    def _ids(self, ids) -> np.ndarray:
        """The ids as an int64 array, checked: integers in [0, num_embeddings)."""
        array = np.asarray(ids.data if isinstance(ids, Tensor) else ids)
        if array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
            array = array.astype(np.int64)  # whole numbers, e.g. from a Tensor
        if array.dtype.kind not in "iu":
            extra = " values that are not whole numbers" if array.dtype.kind == "f" else ""
            raise TypeError(f"Embedding: ids must be integers, got {array.dtype}{extra}")
        if array.size and (array.min() < 0 or array.max() >= self.num_embeddings):
            raise IndexError(f"Embedding: ids must lie in [0, {self.num_embeddings}), got "
                             f"values from {array.min()} to {array.max()}")
        return array.astype(np.int64, copy=False)

    def forward(self, ids) -> Tensor:
        ids = self._ids(ids)
        vectors = self.weight[ids]
        if self.padding_idx is None:
            return vectors
        # the padding row is read as it is, as a constant: it gets no gradient
        return where((ids == self.padding_idx)[..., None], vectors.detach(), vectors)

    def extra_repr(self) -> str:
        extra = f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        return f"{self.num_embeddings}, {self.embedding_dim}{extra}"
