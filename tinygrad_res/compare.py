"""Comparisons, logic on their bool results, and a tensor's values handed to Python or numpy.

None of these is differentiable: a comparison gives a bool tensor without a gradient, which
`where`, masks (`x[x > 0]`) and arithmetic accept. As in PyTorch, `bool()`, `float()` and
`int()` take a tensor of one element only, and a 0-d tensor cannot be iterated over.
"""
from __future__ import annotations

import numbers

import numpy as np


class ComparisonMethods:
    """The comparison and conversion methods of Tensor (a base class of it)."""

    __slots__ = ()

    # ----- comparisons: elementwise, a bool tensor without gradient -----------------------
    def _compare(self, other, compare, op: str):
        if isinstance(other, ComparisonMethods):
            other = other.data
        elif not isinstance(other, (numbers.Number, np.ndarray, list, tuple)):
            return NotImplemented  # x == None is False, as for any Python object
        try:
            result = compare(self.data, other)
        except ValueError:
            raise ValueError(f"{op}: cannot broadcast {self.shape} with "
                             f"{np.shape(other)}") from None
        return self._from_op(np.asarray(result), None)

    def __eq__(self, other): return self._compare(other, np.equal, "eq")
    def __ne__(self, other): return self._compare(other, np.not_equal, "ne")
    def __lt__(self, other): return self._compare(other, np.less, "lt")
    def __le__(self, other): return self._compare(other, np.less_equal, "le")
    def __gt__(self, other): return self._compare(other, np.greater, "gt")
    def __ge__(self, other): return self._compare(other, np.greater_equal, "ge")
    __hash__ = object.__hash__  # a tensor is a graph node: hashed, as compared in sets, by identity

    def any(self):
        """Whether any entry is non-zero (true): a 0-d bool tensor."""
        return self._from_op(np.asarray(self.data.any()), None)

    def all(self):
        """Whether every entry is non-zero (true): a 0-d bool tensor."""
        return self._from_op(np.asarray(self.data.all()), None)

    # ----- logic on bool tensors: combining masks, (x > 0) & (x < 1) ----------------------
    def _logic(self, other, combine, op: str):
        if isinstance(other, bool):
            other = np.asarray(other)
        elif isinstance(other, ComparisonMethods):
            other = other.data
        elif not isinstance(other, np.ndarray):
            return NotImplemented
        for operand in (self.data, other):
            if operand.dtype != np.bool_:  # the bits of a float mean nothing here
                raise TypeError(f"{op}: takes bool tensors (from comparisons such as x > 0), "
                                f"got dtype {operand.dtype}")
        try:
            return self._from_op(combine(self.data, other), None)
        except ValueError:
            raise ValueError(f"{op}: cannot broadcast {self.shape} with "
                             f"{other.shape}") from None

    def __and__(self, other): return self._logic(other, np.logical_and, "and (&)")
    def __or__(self, other): return self._logic(other, np.logical_or, "or (|)")
    def __xor__(self, other): return self._logic(other, np.logical_xor, "xor (^)")
    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self):
        if self.data.dtype != np.bool_:
            raise TypeError(f"invert (~): takes a bool tensor (from a comparison such as "
                            f"x > 0), got dtype {self.data.dtype}; for -x write -x")
        return self._from_op(np.logical_not(self.data), None)

    # ----- a tensor's values as Python's or numpy's --------------------------------------
    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"bool: the truth of a tensor with {self.data.size} values is "
                               f"ambiguous; reduce it first, e.g. (t > 0).all() or .any()")
        return bool(self.data.item())

    def __float__(self) -> float: return float(self._one_value("float"))
    def __int__(self) -> int: return int(self._one_value("int"))

    def _one_value(self, what: str):
        if self.data.size != 1:
            raise ValueError(f"{what}: only a tensor with one element converts to a Python "
                             f"{what}, got shape {self.shape}")
        return self.data.item()

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iter: a 0-d tensor cannot be iterated over (item() gives its value)")
        return (self[i] for i in range(len(self.data)))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """np.asarray(t): the data (t.numpy()), not an array of tensors, one per entry."""
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)
