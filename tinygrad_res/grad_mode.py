"""Grad mode: whether ops record themselves in the graph (`no_grad`, `enable_grad`).

The switch is per thread, as in PyTorch: `no_grad()` in one thread does not affect another.
The same per-thread `state` carries the anomaly switch (anomaly_mode.py) and the innermost
`viz.scope()` frame, which `Function.apply` copies onto every op it records.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


class GraphState(threading.local):
    """Per-thread switches read by `Function.apply` each time an op runs."""
    grad_enabled = True
    anomaly = False
    scope = None  # innermost `viz.scope()` frame: graph drawings group ops by it


state = GraphState()


@contextmanager
def no_grad() -> Iterator[None]:
    """Run ops without recording a graph (evaluation, optimizer updates).

    >>> from tinygrad_res import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """
    previous = state.grad_enabled
    state.grad_enabled = False
    try:
        yield
    finally:
        state.grad_enabled = previous


@contextmanager
def enable_grad() -> Iterator[None]:
    """Re-enable graph recording inside a `no_grad()` block."""
    previous = state.grad_enabled
    state.grad_enabled = True
    try:
        yield
    finally:
        state.grad_enabled = previous


def is_grad_enabled() -> bool:
    return state.grad_enabled
