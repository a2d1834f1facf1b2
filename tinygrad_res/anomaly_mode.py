"""Anomaly mode: find the op that first produces NaN or Inf (`detect_anomaly`).

Inside the block every op remembers the file and line of the user's code that created it, and
checks its output (forward) and the gradients it sends back (backward); the error names the op,
the pass and that line. It slows every op down: use it to debug, not to train.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

import numpy as np

from .grad_mode import state

_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


class AnomalyError(FloatingPointError):
    """Raised inside `detect_anomaly()` by the first op that produces NaN or Inf."""


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise AnomalyError at the first op whose output or input gradient holds NaN or Inf.

    >>> from tinygrad_res import Tensor
    >>> x = Tensor([0.0], requires_grad=True)
    >>> with detect_anomaly():
    ...     (x.log() * 0.0).sum().backward()     # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    AnomalyError: log: its output holds Inf in the forward pass; the op was created at ...
    """
    previous = state.anomaly
    state.anomaly = True
    try:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            yield
    finally:
        state.anomaly = previous


def caller_outside_engine() -> str:
    """'file:line' of the innermost frame that is not engine code: the user's line."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE_DIR):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def check_finite(fn, arrays, stage: str) -> None:
    """Raise AnomalyError if one of `arrays` (op `fn`'s output or input gradients) is not finite."""
    for i, array in enumerate(arrays):
        if array is not None and not np.all(np.isfinite(array)):
            kind = "NaN" if np.isnan(array).any() else "Inf"
            where = "its output" if stage == "forward" else f"the gradient for input {i}"
            raise AnomalyError(
                f"{fn.name}: {where} holds {kind} in the {stage} pass; "
                f"the op was created at {fn.created_at}")
