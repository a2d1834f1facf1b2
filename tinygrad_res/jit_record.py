"""Recording one call of a jitted function: its ops, its backward passes, its reruns.

`tinygrad_res.jit` (jit.py) records a call here and jit_program.py turns the recording into the
replay's Python source. Hooks sit on the engine's classes while a call is recorded, and only
then (`recording()` puts them on and takes them off again), so eager mode pays nothing:

    Function.apply       every op run                        -> an OpRecord
    Tensor.backward      every backward pass                 -> a BackwardRecord, with what
                         each op's backward returned (one array or a tuple)
    @rerun_on_replay     a method the replay calls again     -> a CallRecord, run unwatched
    Tensor.data, .grad, .item(), .numpy(), bool(), repr(), comparisons, in-place methods
                         the step's own Python reading or changing values -> JitError

The engine's code (this package, viz/ aside) reads and writes .data and .grad as it always does:
that is part of the ops the replay repeats. What the step's own Python does with values is
not: the replay does not run it, so it would be frozen at what the recording saw. Only the
recording thread is watched; other threads pass through the hooks unchanged.
"""
from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, List, Optional

import numpy as np

from .anomaly_mode import caller_outside_engine
from .function import Function
from .tensor import Tensor

ENGINE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
VIZ_DIR = ENGINE_DIR + "viz" + os.sep
_COMPARING = "the step compares tensors (a mask made outside the graph: a replay would keep it)"
_CHANGING = "the step changes a tensor in place outside an op"
GUARDED_METHODS = {  # Tensor's methods that hand values to Python or change them, and why
    "item": "the step calls item() on a tensor", "numpy": "the step calls numpy() on a tensor",
    "__repr__": "the step prints a tensor", "__bool__": "the step asks bool() of a tensor",
    "zero_grad": "the step calls Tensor.zero_grad()", "requires_grad_": _CHANGING,
    "__float__": "the step calls float() on a tensor", "__int__": "the step calls int() on a "
    "tensor", "__array__": "the step hands a tensor to numpy (np.asarray)",
    "any": _COMPARING, "all": _COMPARING, **{name: _COMPARING for name in (
        "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__and__", "__or__",
        "__xor__", "__rand__", "__ror__", "__rxor__", "__invert__")},
    **{name: _CHANGING for name in ("add_", "sub_", "mul_", "fill_", "zero_", "copy_", "set_")}}
_MISSING = object()

# prefixes of the replay's other names (arguments, leaves, ops, constants, ...): an op named so
# would give its outputs a clashing variable name
RESERVED = {"a", "c", "k", "op", "call", "r", "target", "w", "x"}

_active: Optional["Recording"] = None  # the call being recorded (one at a time)


class JitError(RuntimeError):
    """A jitted function did something its replay could not repeat faithfully."""


def active() -> Optional["Recording"]:
    """The recording of the calling thread, or None (also inside a rerun call)."""
    rec = _active
    if rec is None or rec.thread != threading.get_ident() or rec.rerun_depth:
        return None
    return rec


@dataclass(eq=False)
class Value:
    """An array the step computes with: a Tensor argument's data ('input'), a numpy array
    argument ('array'), a tensor made before the op that first used it ('leaf'), an op's
    output ('op'). `name` is its variable in the replay's source."""
    kind: str
    name: str
    tensor: Optional[Tensor] = None  # input and leaf: the tensor whose .data it is
    position: int = 0                # input: argument position; leaf: order of first use


@dataclass(eq=False)
class OpRecord:
    cls: type
    inputs: List[Value]
    options: dict
    output: Value
    fn: Optional[Function]           # the op in the recorded graph (None for a constant)
    requires_grad: tuple             # of each input, when it ran
    site: str                        # file:line of the code that ran it
    zero_dim: bool                   # a 0-d output (forward may have returned a numpy scalar)


@dataclass(eq=False)
class BackwardRecord:
    root: Tensor
    seed: Any                        # the `grad` given to backward (None: ones)
    steps: list = field(default_factory=list)  # (op, grad_output, what its backward returned)


@dataclass(eq=False)
class CallRecord:
    method: Callable
    args: tuple
    kwargs: dict
    site: str


class Recording:
    """What one call did, in order (`events`), and the arrays it computed with (`values`)."""

    def __init__(self, title: str, dynamic: list) -> None:
        self.title, self.thread = title, threading.get_ident()
        self.values: dict = {}   # id(array) -> Value
        self.arrays: list = []   # every array seen, kept alive so that no id is reused
        self.inputs: List[Value] = []
        self.leaves: List[Value] = []
        self.events: list = []
        self.rerun_depth = 0
        self.backward: Optional[BackwardRecord] = None  # the pass running now
        self.probed: list = []
        self.op_count = 0
        for position, item in enumerate(dynamic):
            if isinstance(item, Tensor):  # x0 names the Tensor, x0.data its array
                value = Value("input", f"x{position}", item, position)
                self._register(item.data, value)
            else:
                value = Value("array", f"a{position}", None, position)
                self._register(item, value)
            self.inputs.append(value)

    def _register(self, array, value: Value) -> Value:
        """Map `array` to `value`; an array passed twice keeps its first argument's Value, an
        op's output is always new."""
        if value.kind == "op" or id(array) not in self.values:
            self.values[id(array)] = value
        self.arrays.append(array)
        return value

    def value_of(self, tensor: Tensor) -> Value:
        """The Value of a tensor's data; a tensor not seen before is a leaf."""
        value = self.values.get(id(tensor.data))
        if value is not None:
            return value
        if tensor.grad_fn is not None:
            raise JitError(
                f"{self.title}: op {tensor.op!r} made a tensor before the jitted call, and the "
                f"call computes with it: its backward would run into a graph the replay does "
                f"not have. Compute it inside the function, or pass it .detach()ed")
        kind = "w" if tensor.requires_grad else "c"
        value = Value("leaf", f"{kind}{len(self.leaves)}", tensor, len(self.leaves))
        self.leaves.append(self._register(tensor.data, value))
        return value

    def record_op(self, cls: type, inputs: tuple, options: dict, out: Tensor) -> None:
        values = [self.value_of(t) for t in inputs]
        name = cls.name + "_" if cls.name in RESERVED or cls.name.startswith("d_") else cls.name
        output = self._register(out.data, Value("op", f"{name}{self.op_count}"))
        self.op_count += 1
        if out.grad_fn is not None:
            self._probe(out.grad_fn)
        self.events.append(OpRecord(cls, values, dict(options), output, out.grad_fn,
                                    tuple(t.requires_grad for t in inputs),
                                    short_site(caller_outside_engine()), out.data.ndim == 0))

    def _probe(self, fn: Function) -> None:
        """Watch this op's backward: the replay needs what it returns, tuple or not."""
        backward = fn.backward

        def watched(grad_output):
            result = backward(grad_output)
            if self.backward is None:
                raise JitError(
                    f"{self.title}: a backward pass that did not start from Tensor.backward() "
                    f"(tinygrad_res.grad, backprop or a graph trace inside the jitted function)"
                    f"; the replay repeats only loss.backward()")
            self.backward.steps.append((fn, grad_output, result))
            return result

        fn.backward = watched  # an instance attribute: it shadows the class's method
        self.probed.append(fn)

    def begin_backward(self, root: Tensor, grad) -> None:
        self.value_of(root)
        seed = self.value_of(grad) if isinstance(grad, Tensor) else grad
        self.backward = BackwardRecord(root, seed)
        self.events.append(self.backward)

    def rerun(self, method: Callable, args: tuple, kwargs: dict):
        """Record a call of a @rerun_on_replay method and make it, unwatched."""
        self.events.append(CallRecord(method, args, kwargs, short_site(caller_outside_engine())))
        self.rerun_depth += 1
        try:
            result = method(*args, **kwargs)
        finally:
            self.rerun_depth -= 1
        if result is not None:
            raise JitError(f"{self.title}: {method.__qualname__} is @rerun_on_replay but "
                           f"returned a value; the replay calls it for its effects only")
        return result

    def refuse(self, what: str, frame) -> None:
        site = short_site(f"{frame.f_code.co_filename}:{frame.f_lineno}")
        raise JitError(
            f"{self.title}: {what} at {site} while the "
            f"call is recorded. A replay runs only the recorded ops, not the function's own "
            f"Python, so whatever this feeds would stay as it was when recorded. Read values "
            f"from what the jitted function returns, outside it (loss.item()); clear gradients "
            f"with optimizer.zero_grad(); mark code that must run on every call "
            f"@rerun_on_replay")

    def unprobe(self) -> None:
        for fn in self.probed:
            del fn.backward
        self.probed = []


def short_site(site: str) -> str:
    """'nets/layers.py:52' for a file under the working directory, else as it is."""
    path = os.path.relpath(site, os.getcwd()) if os.path.isabs(site) else site
    return site if path.startswith("..") else path


def _watched_caller(frame) -> Optional[Recording]:
    """The recording, if `frame` is the recorded step's own code (not the engine's)."""
    rec = active()
    name = frame.f_code.co_filename
    if rec is None or (name.startswith(ENGINE_DIR) and not name.startswith(VIZ_DIR)):
        return None
    return rec


def _guarded_attribute(name: str, original, reads_refused: bool = True) -> property:
    """`original` (a slot or a property of Tensor), refusing the recorded step's own reads
    (if `reads_refused`) and writes."""
    def get(tensor):
        if reads_refused:
            rec = _watched_caller(sys._getframe(1))
            if rec is not None:
                rec.refuse(f"the step reads .{name} of a tensor", sys._getframe(1))
        return original.__get__(tensor, Tensor)

    def set_(tensor, value):
        frame = sys._getframe(1)
        rec = _watched_caller(frame)
        if rec is not None:
            rec.refuse(f"the step sets .{name} of a tensor", frame)
        rec = active()
        if name == "grad" and value is not None and rec is not None and rec.backward is None:
            rec.refuse("a gradient was written outside loss.backward() (backprop called "
                       "directly?)", frame)
        original.__set__(tensor, value)

    return property(get, set_)


def _guarded_method(name: str, method: Callable) -> Callable:
    def guarded(tensor, *args, **kwargs):
        rec = _watched_caller(sys._getframe(1))
        if rec is not None:
            rec.refuse(GUARDED_METHODS[name], sys._getframe(1))
        return method(tensor, *args, **kwargs)

    return guarded


def _recording_apply(eager_apply: Callable) -> Callable:
    def apply(cls, *inputs, **options):
        out = eager_apply(cls, *inputs, **options)
        rec = active()
        if rec is not None:
            rec.record_op(cls, inputs, options, out)
        return out

    return apply


def _recording_backward(eager_backward: Callable) -> Callable:
    def backward(tensor, grad=None, **graph_options):  # retain_graph, create_graph
        rec = active()
        if rec is None:
            return eager_backward(tensor, grad, **graph_options)
        rec.begin_backward(tensor, grad)
        try:
            return eager_backward(tensor, grad, **graph_options)
        finally:
            rec.backward = None

    return backward


@contextmanager
def recording(rec: Recording) -> Iterator[Recording]:
    """Watch the engine for `rec` inside the block; the hooks are gone again after it."""
    global _active
    overriding = [c.__name__ for c in Function.registry.values() if "apply" in c.__dict__]
    if overriding:
        raise JitError(f"{rec.title}: op(s) {', '.join(overriding)} define their own apply, "
                       f"which the jit cannot watch")
    names = ["data", "grad", "requires_grad", "backward"] + list(GUARDED_METHODS)
    saved = {name: Tensor.__dict__.get(name, _MISSING) for name in names}  # _MISSING: inherited
    saved_apply = Function.__dict__["apply"]
    _active = rec
    try:
        Function.apply = classmethod(_recording_apply(saved_apply.__func__))
        Tensor.backward = _recording_backward(saved["backward"])
        for name in ("data", "grad", "requires_grad"):
            setattr(Tensor, name, _guarded_attribute(name, saved[name],
                                                     reads_refused=name != "requires_grad"))
        for name in GUARDED_METHODS:
            setattr(Tensor, name, _guarded_method(name, getattr(Tensor, name)))
        yield rec
    finally:
        Function.apply = saved_apply
        for name, original in saved.items():
            if original is _MISSING:
                delattr(Tensor, name)
            else:
                setattr(Tensor, name, original)
        _active = None
        rec.unprobe()


def same_value(a, b) -> bool:
    """Whether two objects a recording holds stand for the same thing: the same object, or
    arrays (or other values) of the same type that are equal, NaN equal to NaN."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return (a.dtype == b.dtype and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if type(a) is not type(b) or isinstance(a, np.ndarray):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
