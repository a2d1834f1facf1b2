"""The machinery every op shares: graph recording, grad mode, anomaly mode, unbroadcasting.

An op is a subclass of `Function` with two methods on numpy arrays:

    class Mul(Function):
        '''z = a * b   dz/da = b   dz/db = a'''
        def forward(self, a, b):
            self.save_for_backward(a, b)
            return a * b
        def backward(self, grad_output):
            a, b = self.saved
            return grad_output * b, grad_output * a

`Mul.apply(x, y)` runs the forward on `x.data, y.data`, wraps the result in a Tensor and, when a
gradient is needed, records the op so that `backward()` can call it later. Each op's backward
returns gradients with the shape of the (broadcast) output; `unbroadcast` reduces them to each
input's shape here, once, so no op has to.
"""
from __future__ import annotations

import os
import re
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

import numpy as np

_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


class _State(threading.local):
    """Per-thread switches: `no_grad()` in one thread does not affect another."""
    grad_enabled = True
    anomaly = False
    scope = None  # innermost `viz.scope()` frame: graph drawings group ops by it


_state = _State()


@contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without recording a graph (evaluation, optimizer updates).

    >>> with no_grad():
    ...     y = model(x)          # y.requires_grad is False
    """
    previous = _state.grad_enabled
    _state.grad_enabled = False
    try:
        yield
    finally:
        _state.grad_enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Re-enable graph recording inside a `no_grad()` block."""
    previous = _state.grad_enabled
    _state.grad_enabled = True
    try:
        yield
    finally:
        _state.grad_enabled = previous


def is_grad_enabled() -> bool:
    return _state.grad_enabled


class AnomalyError(FloatingPointError):
    """Raised inside `detect_anomaly()` by the first op that produces NaN or Inf."""


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Find the op that first produces NaN or Inf, in the forward or the backward pass.

    Inside this block every op remembers the file and line of the code that created it, and
    checks its output (forward) and the gradients it sends back (backward). The error names the
    op, the pass and that line. It slows every op down: use it to debug, not to train.
    """
    previous = _state.anomaly
    _state.anomaly = True
    try:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            yield
    finally:
        _state.anomaly = previous


def _caller_outside_engine() -> str:
    """'file:line' of the innermost frame that is not engine code: the user's line."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE_DIR):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _check_finite(fn: "Function", arrays, stage: str) -> None:
    for i, array in enumerate(arrays):
        if array is not None and not np.all(np.isfinite(array)):
            kind = "NaN" if np.isnan(array).any() else "Inf"
            where = "its output" if stage == "forward" else f"the gradient for input {i}"
            raise AnomalyError(
                f"{fn.name}: {where} holds {kind} in the {stage} pass; "
                f"the op was created at {fn.created_at}")


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum `grad` down to `shape`, undoing numpy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of size 1, so the
    input's gradient is the sum of the output gradient over those axes.

    >>> unbroadcast(np.ones((4, 3)), (3,))
    array([4., 4., 4.])
    """
    if grad.shape == shape:
        return grad
    # BEGIN TASK 2.1
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return np.asarray(grad)
    # END TASK 2.1


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Function:
    """Base class of every differentiable op. See the module docstring."""

    name = "function"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = _snake_case(cls.__name__)

    def save_for_backward(self, *values) -> None:
        self.saved = values

    def forward(self, *arrays, **options) -> np.ndarray:
        raise NotImplementedError(f"{self.name}: forward is not implemented")

    def backward(self, grad_output: np.ndarray):
        raise NotImplementedError(f"{self.name}: backward is not implemented")

    @property
    def needs_input_grad(self) -> tuple:
        """For each input, whether it needs a gradient: backward may skip the others."""
        return tuple([t.requires_grad for t in self.parents])

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on Tensors and record it in the graph if any input needs a gradient."""
        fn = cls()
        try:
            data = fn.forward(*[t.data for t in inputs], **options)
        except ValueError as error:
            if "broadcast" in str(error):
                shapes = " with ".join(str(t.shape) for t in inputs)
                raise ValueError(f"{cls.name}: cannot broadcast {shapes}") from None
            raise
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        if _state.grad_enabled:
            for t in inputs:
                if t.requires_grad:  # backward will reach this op: record it
                    fn.parents, fn.scope = inputs, _state.scope
                    if _state.anomaly:
                        fn.created_at = _caller_outside_engine()
                        _check_finite(fn, (data,), "forward")
                    return Tensor._from_op(data, fn)
        return Tensor._from_op(data, None)  # no input needs a gradient: a constant


from .tensor import Tensor  # noqa: E402  (tensor.py imports the ops, which import this module)
