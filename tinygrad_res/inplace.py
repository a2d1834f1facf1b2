"""In-place changes to a tensor's data, and the check that keeps them from corrupting backward.

An op that keeps an array for its backward (Mul keeps both factors) computes gradients from the
kept array. Change that array in place between the forward and the backward pass (an optimizer
step, `nets.init`, `load_state_dict`) and backward would return the gradient of a function
that was never computed, without a word. So, as in PyTorch:

- the methods below (`add_`, `sub_`, `mul_`, `zero_`, `fill_`, `copy_`, `set_`) change a
  tensor's data in place, record nothing in the graph, and log the change against the memory
  they wrote (`CHANGES`): a view or a `detach()`ed copy shares that memory, and counts too;
- each op notes, when it runs, how many changes had been logged (`Function.apply`); backprop
  compares before calling the op's backward, and only when the count has moved looks at the
  arrays the op saved: one changed since the op ran is an error naming the op, the tensor and
  its version (`Tensor._version`, the number of in-place changes made to its memory).

They are refused on a tensor that requires grad while grad mode is on (change parameters inside
`no_grad()`, as optimizers do). Writing into `.data` directly (`t.data[0] = 1`, `t.data -= u`)
bypasses all this: it is the raw escape hatch, as in PyTorch.
"""
from __future__ import annotations

import weakref
from collections import deque

import numpy as np

from .grad_mode import state


class ChangeLog:
    """The in-place changes made through the methods below, in this process."""

    __slots__ = ("count", "by_array", "prune_at")

    def __init__(self) -> None:
        self.count = 0  # changes made so far
        # id(array owning the memory) -> [weakref to it, count at its last change, its changes,
        # the counts at its last RECENT changes (to tell an error which version an op saw)]
        self.by_array: dict = {}
        self.prune_at = 1024

    def record(self, array: np.ndarray) -> None:
        """Count an in-place change of `array`'s memory."""
        # _owner(array), written out: this runs once per parameter in every optimizer step
        base = array.base
        owner = array if base is None or type(base) is not np.ndarray else base
        self.count += 1
        entry = self.by_array.get(id(owner))
        if entry is None or entry[0]() is not owner:
            if len(self.by_array) >= self.prune_at:  # forget arrays that no longer exist
                self.by_array = {k: e for k, e in self.by_array.items() if e[0]() is not None}
                self.prune_at = max(1024, 2 * len(self.by_array))
            entry = self.by_array[id(owner)] = [weakref.ref(owner), 0, 0, deque(maxlen=RECENT)]
        entry[1] = self.count
        entry[2] += 1
        entry[3].append(self.count)

    def version_at(self, array: np.ndarray, count: int) -> str:
        """The version `array`'s memory had when `count` changes had been logged: '2', or
        'at most 5' when more than RECENT changes came since."""
        entry = self.by_array[id(_owner(array))]
        later = sum(1 for c in entry[3] if c > count)
        if later == len(entry[3]) and entry[2] > later:
            return f"at most {entry[2] - later}"
        return str(entry[2] - later)

    def of(self, array: np.ndarray) -> tuple:
        """(count at the last change of `array`'s memory, its number of changes); (0, 0) if none."""
        owner = _owner(array)
        entry = self.by_array.get(id(owner))
        if entry is None or entry[0]() is not owner:
            return 0, 0
        return entry[1], entry[2]


RECENT = 64  # the changes of one array whose counts are kept
CHANGES = ChangeLog()


def _owner(array: np.ndarray) -> np.ndarray:
    """The array that owns `array`'s memory (itself, or the array it is a view of)."""
    base = array.base
    return array if base is None or type(base) is not np.ndarray else base


class InPlaceMethods:
    """The in-place methods of Tensor (a base class of it, kept in a file of its own)."""

    __slots__ = ()

    def add_(self, other, alpha: float = 1):
        """self += alpha * other, in place (torch.Tensor.add_)."""
        value = self._operand("add_", other)
        self.data += value if alpha == 1 else alpha * value
        return self._changed()

    def sub_(self, other, alpha: float = 1):
        """self -= alpha * other, in place (torch.Tensor.sub_)."""
        value = self._operand("sub_", other)
        self.data -= value if alpha == 1 else alpha * value
        return self._changed()

    def mul_(self, other):
        """self *= other, in place (torch.Tensor.mul_)."""
        self.data *= self._operand("mul_", other)
        return self._changed()

    def fill_(self, value):
        """Every entry set to the number `value` (or a 0-d tensor's), in place
        (torch.Tensor.fill_); an array of values is copy_'s job."""
        value = self._operand("fill_", value)
        if value.ndim:
            raise ValueError(f"fill_: takes a number or a 0-d tensor, got a value of shape "
                             f"{value.shape}; to copy values in, use copy_")
        self.data[...] = value
        return self._changed()

    def zero_(self):
        """Every entry set to 0, in place (torch.Tensor.zero_)."""
        self._check_allowed("zero_")
        self.data[...] = 0
        return self._changed()

    def copy_(self, src):
        """The values of `src` (broadcast to this shape, cast to this dtype), in place."""
        self.data[...] = self._operand("copy_", src)
        return self._changed()

    def set_(self, source):
        """Take `source`'s array (a Tensor's data or a float numpy array, not copied) as this
        tensor's data; shape and dtype may change (torch.Tensor.set_). Module.to uses it. The
        old array counts as changed: an op that saved it may not use it for backward."""
        self._check_allowed("set_")
        array = source.data if isinstance(source, InPlaceMethods) else source
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            raise TypeError(f"set_: expected a Tensor or a float numpy array, got "
                            f"{type(source).__name__}")
        CHANGES.record(self.data)
        self.data = array
        return self._changed()

    @property
    def _version(self) -> int:
        """How many in-place changes were made to this tensor's memory (PyTorch's _version)."""
        return CHANGES.of(self.data)[1]

    # ----- the checks every method makes --------------------------------------------------
    def _check_allowed(self, op: str) -> None:
        if state.grad_enabled and self._requires_grad:
            if self.grad_fn is None:
                raise RuntimeError(
                    f"{op}: {self._label()} requires grad and is being changed in place; the "
                    f"graph does not record in-place changes: make them inside no_grad(), as "
                    f"an optimizer step does")
            raise RuntimeError(
                f"{op}: {self._label()} is the output of {self.grad_fn.name} in a graph that "
                f"requires grad; in-place changes are not recorded, so backward would be "
                f"wrong: use the out-of-place op (x + y for x.add_(y)), or detach() first")

    def _operand(self, op: str, other) -> np.ndarray:
        """`other` as an array that fits this tensor's shape (it may broadcast to it)."""
        if self._requires_grad and state.grad_enabled:
            self._check_allowed(op)
        data = self.data
        if type(other) is np.ndarray and other.dtype is data.dtype and other.shape == data.shape:
            return other  # an optimizer's update: nothing to convert or check
        value = other.data if isinstance(other, InPlaceMethods) else other
        value = np.asarray(value)
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{op}: expected numbers, got {type(other).__name__} of dtype "
                            f"{value.dtype}")
        try:
            fits = np.broadcast_shapes(value.shape, self.data.shape) == self.data.shape
        except ValueError:  # the shapes do not broadcast at all
            fits = False
        if not fits:
            raise ValueError(f"{op}: a value of shape {value.shape} does not fit in place into "
                             f"a tensor of shape {self.data.shape}")
        return value

    def _changed(self):
        CHANGES.record(self.data)
        return self

    def _label(self) -> str:
        return f"tensor {self.name!r} of shape {self.shape}" if self.name else \
            f"a tensor of shape {self.shape}"


def check_unchanged(fn, output) -> None:
    """RuntimeError if an array `fn` saved for backward was changed in place after `fn` ran:
    its backward would compute with values the forward never saw."""
    for kept in getattr(fn, "saved", ()):
        if not isinstance(kept, np.ndarray):
            continue
        changed_at, version = CHANGES.of(kept)
        if changed_at <= fn.changes:
            continue
        owner = _owner(kept)
        named = [(f"its input {i}", t) for i, t in enumerate(fn.parents)] + [("its output", output)]
        what, tensor = next(((w, t) for w, t in named if _owner(t.data) is owner),
                            ("an array it saved", None))
        label = f", {tensor._label()}," if tensor is not None else f" of shape {kept.shape}"
        raise RuntimeError(
            f"backward through {fn.name}: {what}{label} was changed in place after "
            f"{fn.name} ran (its memory is at version {version}; it was at version "
            f"{CHANGES.version_at(kept, fn.changes)} then); {fn.name} saved it for its "
            f"backward, which would now compute with other values. Change it after backward "
            f"(optimizer.step() goes after loss.backward()), or run the forward again")
