"""tinygrad_res.jit: run a training step eagerly twice, then replay it without the bookkeeping.

    @tinygrad_res.jit
    def train_step(x, y):
        opt.zero_grad(); loss = mse_loss(model(x), y); loss.backward(); opt.step()
        return loss

    for x, y in batches:
        loss = train_step(x, y)      # calls 1 and 2 are recorded, later calls replayed

What a JIT removes, and why that is faster
------------------------------------------
An eager step does two kinds of work. The arithmetic: numpy calls, the same ones a hand-written
step makes. And the bookkeeping around each op: a Function object and an output Tensor, the
graph links, the grad mode and scope lookups; then, in backward, a topological order of the
whole graph, a dictionary of gradients, and for every gradient fit_gradient's checks (unbroadcast?
cast? copy?). On small arrays (seed 000: width 8, one sample) the bookkeeping costs more than
the arithmetic: eager mode takes about 2.7x the time of numpy by hand there (bench/RESULTS.md).

None of that bookkeeping depends on the numbers, only on the shapes, the dtypes and the path the
code takes. Run the step again with arrays of the same shapes and every decision comes out the
same. So make them once: record what the step did, and write it down as a straight-line Python
function (jit_program.py; `train_step.source` shows it) that calls each op's forward and backward
on the new arrays, in the order eager mode did, with only the glue these shapes need. What stays
is what a hand-written step does too, the numpy calls, plus each op's own Python (its shape
checks, `save_for_backward`). No Tensor, Function or topological order is built at replay, and
each array is dropped right after its last use (`del`), as a hand-written loop drops its old
`delta`, so numpy hands the same memory to the next op. The results are eager mode's, bit for
bit: the same functions run on the same arrays in the same order.

This is the idea of tinygrad's TinyJit, which captures the GPU kernels a step runs and replays
them on new input buffers. Here the unit captured is the op, whose forward and backward already
are the arithmetic; capturing single numpy calls instead would need every array to be traced.

How it works, and what it can and cannot see
--------------------------------------------
- The cache key: the shape, dtype and strides of each Tensor and numpy array argument, which
  arguments are the same array, every other argument's value, and the grad mode. A new key is
  recorded anew; each key keeps its own replay.
- Calls 1 and 2 with a key run eagerly and are recorded (jit_record.py). If the two recordings
  differ, in an op, an option, a constant, or a tensor made inside the function, the second
  call raises JitError, and so does every later call with that key: a step whose operations
  change from call to call (Python control flow on data, or on a counter) cannot be replayed.
  From call 3 on, calls replay.
- While a call is recorded, the function's own Python may not read values out of tensors
  (.data, .grad, .item(), .numpy(), repr), write .data or .grad, or call Tensor.zero_grad:
  whatever it did with them would be frozen in the replay. So `if loss.item() > 1:` inside is
  refused on the first call, with the file and line.
- Tensors made before the call (parameters) are read afresh (`w3.data`) where each op uses
  them, so in-place changes between calls (an optimizer's) are seen. If one was given a new
  array (load_state_dict, Module.to) or its requires_grad changed, the function is recorded
  again, since options such as batch norm's running arrays may have been replaced as well.
- Code that changes state outside the ops runs again at each replay if it is marked
  `@rerun_on_replay`: nets' optimizers (step, zero_grad), Module.zero_grad and batch norm's
  batch counter are. So Adam's step count and a changed learning rate stay live.
- A numpy array argument may only reach ops as an option (cross_entropy's class labels): the
  replay hands on the next call's array. One that is copied into a Tensor instead is refused.

Not seen, so not detected: Python state the function reads that is not a tensor's value: a
module's training flag (give model.eval() its own jitted function, or call reset()), a number
read from a global or an attribute (pass it as an argument, or as a Tensor), a random number
drawn in Python (differs between the two recordings, so refused, unless drawn from a fixed
seed), numpy arrays passed in and inspected in Python (cross_entropy's label checks do not run
at replay). Python side effects (appending to a list, printing) happen only in the recorded
calls. The returned tensors hold values only: no graph and no .grad. Recorded calls run
slower than eager ones (every op is watched), and between calls the ops keep what their
backward needed from the last call, as an eager graph kept alive by its loss does.
"""
from __future__ import annotations

import functools
from typing import Callable, Optional

import numpy as np

from . import jit_record
from .grad_mode import state
from .jit_program import Program, differences
from .jit_record import JitError, Recording, recording
from .tensor import Tensor

__all__ = ["jit", "rerun_on_replay", "JitError", "JitFunction"]



def rerun_on_replay(method: Callable) -> Callable:
    """Mark a function or method whose effects the jit cannot see (numpy on .data and .grad,
    Python counters): a recorded call notes "call it here", and each replay calls it again.

    It must return None. Outside a recording it is an ordinary call.

    >>> class SGD:
    ...     @rerun_on_replay
    ...     def step(self):
    ...         for p in self.params:
    ...             p.data -= self.lr * p.grad
    """
    @functools.wraps(method)
    def rerun(*args, **kwargs):
        rec = jit_record.active()
        if rec is None:
            return method(*args, **kwargs)
        return rec.rerun(method, args, kwargs)

    return rerun


def jit(fn: Callable) -> "JitFunction":
    """Record `fn` on its first two calls and replay it afterwards (see this module's
    docstring). Arguments: Tensors (their data changes from call to call), numpy arrays
    (passed on to ops as options, such as class labels), and hashable values (part of the
    cache key). Returns what `fn` returns, with each tensor detached."""
    return JitFunction(fn)


class _Entry:
    """The state of one cache key: the first recording, then the compiled replay."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.first: Optional[Program] = None
        self.replay: Optional[Callable] = None
        self.failure: Optional[str] = None
        self.source = ""
        self.leaves, self.arrays, self.flags = (), (), ()

    def fresh(self) -> bool:
        """Whether the tensors made before the call still hold the recorded arrays, with the
        recorded requires_grad flag (read directly, as Function.apply does; a plain loop is
        faster here than map and all)."""
        for tensor, array, flag in zip(self.leaves, self.arrays, self.flags):
            if tensor.data is not array or tensor._requires_grad is not flag:
                return False
        return True

    def record(self, fn: Callable, args: tuple, kwargs: dict, dynamic: list):
        rec = Recording(self.title, dynamic)
        with recording(rec):
            rec.output = fn(*args, **kwargs)
        result = _detach(rec.output)
        program = Program(rec)
        if self.first is None:
            self.first = program
            return result
        self.failure = differences(self.first, program)
        self.first = None
        if self.failure:
            raise JitError(f"{self.title}: {self.failure}")
        self.replay, self.source = program.compile(), program.source()
        self.leaves = tuple(program.persistent)
        self.arrays = tuple(t.data for t in self.leaves)
        self.flags = tuple(t.requires_grad for t in self.leaves)
        return result


class JitFunction:
    """A function under `jit`: calls it, records it, or replays it, per cache key.

    `recorded_calls` and `replayed_calls` count what happened; `source` is the Python of the
    latest replay built (empty before one is)."""

    def __init__(self, fn: Callable) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.recorded_calls = self.replayed_calls = 0
        self.source = ""
        self._entries: dict = {}

    def __call__(self, *args, **kwargs):
        if state.anomaly or jit_record._active is not None:  # checks every op / nested: eager
            return self.fn(*args, **kwargs)
        key, dynamic = signature(args, kwargs)
        entry = self._entries.get(key)
        if entry is not None and entry.replay is not None:
            if entry.fresh():
                self.replayed_calls += 1
                return entry.replay(*dynamic)
            entry = None  # a tensor was given a new array between calls: record again
        if entry is None:
            title = getattr(self.fn, "__qualname__", "jit").replace("<locals>.", "")
            entry = self._entries[key] = _Entry(title)
        if entry.failure:
            raise JitError(f"{entry.title}: {entry.failure}")
        self.recorded_calls += 1
        result = entry.record(self.fn, args, kwargs, dynamic)
        self.source = entry.source or self.source
        return result

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def reset(self) -> None:
        """Forget every recording and replay."""
        self._entries.clear()


def signature(args: tuple, kwargs: dict) -> tuple:
    """(cache key, the Tensor and array arguments in order). The key has each tensor's and
    array's shape, dtype and strides, which arguments are the same array, each other value,
    and the grad mode."""
    key, dynamic, seen = [state.grad_enabled], [], {}
    _flatten(args, key, dynamic, seen)
    if kwargs:
        _flatten(dict(sorted(kwargs.items())), key, dynamic, seen)
    return tuple(key), dynamic


def _flatten(obj, key: list, dynamic: list, seen: dict) -> None:
    if isinstance(obj, Tensor):
        array = obj.data
        key.append((array.shape, array.dtype.str, array.strides, obj.requires_grad,
                    seen.setdefault(id(array), len(dynamic))))
        dynamic.append(obj)
    elif isinstance(obj, np.ndarray):
        key.append(("array", obj.shape, obj.dtype.str, obj.strides,
                    seen.setdefault(id(obj), len(dynamic))))
        dynamic.append(obj)
    elif type(obj) in (tuple, list):
        key.append((type(obj), len(obj)))
        for item in obj:
            _flatten(item, key, dynamic, seen)
    elif type(obj) is dict:
        key.append((dict, tuple(obj)))
        for item in obj.values():
            _flatten(item, key, dynamic, seen)
    else:
        try:
            hash(obj)
        except TypeError:
            raise JitError(f"jit: an argument of type {type(obj).__name__} is neither a Tensor, "
                           f"a numpy array, a tuple, list or dict of them, nor hashable (other "
                           f"values are part of the cache key)") from None
        key.append((type(obj), obj))


def _detach(obj):
    """What a jitted call returns: its tensors' values, without their graph."""
    if isinstance(obj, Tensor):
        return Tensor._from_op(obj.data, None)
    if type(obj) in (tuple, list):
        return type(obj)(_detach(item) for item in obj)
    if type(obj) is dict:
        return {k: _detach(v) for k, v in obj.items()}
    return obj
