"""Dims (PyTorch's word; numpy says axes): checking the ones a caller gives, and taking
PyTorch's and numpy's names for them.

PyTorch writes `x.sum(dim=1, keepdim=True)`, numpy `x.sum(axis=1, keepdims=True)`. Tensor's
methods are written with PyTorch's names and, as torch itself does, take numpy's too
(`numpy_names`); giving both is a TypeError. The rules below are PyTorch's: a dim is an int
(not a bool or a float), negative dims count from the end, a dim out of range is an
IndexError, and a 0-d tensor takes dim 0 and -1 (it has no axis to reduce: they change nothing).

    >>> reduced_dims("sum", (0, -1), 3)
    (0, 2)
    >>> reduced_dims("sum", -1, 0)     # a 0-d tensor: nothing to reduce
    ()
"""
from __future__ import annotations

import functools
import inspect
from typing import Callable

import numpy as np

# numpy's name of an argument -> PyTorch's
NUMPY_NAMES = {"axis": "dim", "keepdims": "keepdim"}


def numpy_names(function: Callable) -> Callable:
    """Let `function`, written with PyTorch's argument names `dim` and `keepdim`, be called
    with numpy's `axis` and `keepdims` too; both names of one argument at once is a TypeError.

    >>> @numpy_names
    ... def total(values, dim=None, keepdim=False):
    ...     return dim, keepdim
    >>> total([1], axis=0, keepdims=True)
    (0, True)
    """
    parameters = list(inspect.signature(function).parameters)
    position = {name: parameters.index(name) for name in NUMPY_NAMES.values()
                if name in parameters}

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if "axis" in kwargs or "keepdims" in kwargs:
            for numpy_name, torch_name in NUMPY_NAMES.items():
                if numpy_name not in kwargs or torch_name not in position:
                    continue  # (a name the function lacks stays: Python's TypeError names it)
                if torch_name in kwargs or len(args) > position[torch_name]:
                    raise TypeError(
                        f"{function.__name__}: got both {torch_name}= and {numpy_name}=, "
                        f"PyTorch's and numpy's names of one argument; give one")
                kwargs[torch_name] = kwargs.pop(numpy_name)
        return function(*args, **kwargs)

    return wrapper


def dim_index(op: str, dim, ndim: int, new: bool = False) -> int:
    """One dim as a non-negative index. `new=True` for a dim that is inserted (unsqueeze,
    stack): it may also be ndim, one past the last."""
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: a dim must be an int, got {dim!r}")
    count = ndim + 1 if new else max(ndim, 1)  # a 0-d tensor takes dim 0 and -1, as in PyTorch
    if not -count <= dim < count:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims "
                         f"(expected {-count} to {count - 1})")
    return int(dim) % count


def dim_list(op: str, dims, ndim: int) -> tuple:
    """An int or a sequence of ints -> a tuple of distinct non-negative dims (in the order
    given)."""
    if isinstance(dims, (list, tuple)):
        result = tuple(dim_index(op, d, ndim) for d in dims)
    else:
        result = (dim_index(op, dims, ndim),)
    if len(set(result)) != len(result):
        raise ValueError(f"{op}: dim {dims} names a dim more than once")
    return result


def reduced_dims(op: str, dim, ndim: int, keepdim: bool = False) -> tuple:
    """The sorted dims a reduction runs over: all of them for dim=None, none for a 0-d tensor.

    An empty tuple is refused: PyTorch reduces every dim for dim=(), numpy none for axis=().
    keepdim must be a bool: `x.sum(0, 1)` is a TypeError in PyTorch, not a keepdim of 1.
    """
    if not isinstance(keepdim, (bool, np.bool_)):
        raise TypeError(f"{op}: keepdim must be True or False, got {keepdim!r}")
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        raise ValueError(f"{op}: dim=() is ambiguous (PyTorch reduces every dim, numpy none); "
                         f"give dim=None to reduce every dim")
    if ndim == 0:
        dim_list(op, dim, ndim)  # checked all the same: 0 and -1 only
        return ()
    return tuple(sorted(dim_list(op, dim, ndim)))
