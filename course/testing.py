"""Helpers for the course's tests (hidden ones above all): pin down what a task requires.

`run_with_recursion_limit(function, *args)` calls `function` with Python's recursion limit
held a little above the current depth, and fails if the call recursed, ran into the limit, or
changed it — so "no recursion" cannot be met by a recursive walk plus
`sys.setrecursionlimit(100000)`:

    order = run_with_recursion_limit(topological_order, deep_chain)

Three guards, because a student's code can dodge any one of them: `sys.setrecursionlimit` is
replaced during the call (a call through the module fails at once); the limit is compared
after the call (an alias imported earlier, `from sys import setrecursionlimit`, that raised
it and left it so); and the deepest Python call stack reached is measured with a profile hook
(raising the limit through an alias and putting it back, or any other recursion, shows there).
"""
from __future__ import annotations

import sys
from typing import Any, Callable

DEFAULT_HEADROOM = 100  # frames the call may use on top of the caller's stack


class RecursionGuardError(AssertionError):
    """The code under test recursed, or changed the recursion limit."""


def stack_depth() -> int:
    """The number of Python frames on the current thread's stack."""
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def run_with_recursion_limit(function: Callable, *args, headroom: int = DEFAULT_HEADROOM,
                             **kwargs) -> Any:
    """`function(*args, **kwargs)` with the recursion limit held at the current depth plus
    `headroom`; RecursionGuardError if it went deeper than `headroom` frames, hit the limit
    or changed it. Returns what `function` returned.

    >>> run_with_recursion_limit(sorted, [3, 1, 2])
    [1, 2, 3]
    """
    name = getattr(function, "__qualname__", repr(function))
    start = stack_depth()
    limit = start + headroom + 10  # the guard's own frames
    attempts, deepest = [], [0]
    depth = [0]

    def refuse(new_limit: int) -> None:
        attempts.append(new_limit)
        raise RecursionGuardError(f"{name} called sys.setrecursionlimit({new_limit}): it must "
                                  f"not need a deeper stack (walk with an explicit stack)")

    def profile(frame, event, arg) -> None:
        if event == "call":
            depth[0] += 1
            deepest[0] = max(deepest[0], depth[0])
        elif event == "return":
            depth[0] -= 1

    saved_limit, saved_setter, saved_profile = sys.getrecursionlimit(), sys.setrecursionlimit, \
        sys.getprofile()
    saved_setter(max(limit, 50))
    sys.setrecursionlimit = refuse
    sys.setprofile(profile)
    try:
        result = function(*args, **kwargs)
        limit_after = sys.getrecursionlimit()
    except RecursionError:
        raise RecursionGuardError(f"{name} hit the recursion limit ({headroom} frames above its "
                                  f"caller): it recursed; walk with an explicit stack") from None
    finally:
        sys.setprofile(saved_profile)
        sys.setrecursionlimit = saved_setter
        saved_setter(saved_limit)
    if attempts:
        raise RecursionGuardError(f"{name} called sys.setrecursionlimit({attempts[0]}) and "
                                  f"caught the refusal: it must not need a deeper stack")
    if limit_after != max(limit, 50):
        raise RecursionGuardError(f"{name} changed the recursion limit to {limit_after}: it "
                                  f"must not need a deeper stack (walk with an explicit stack)")
    if deepest[0] > headroom:
        raise RecursionGuardError(f"{name} went {deepest[0]} calls deep (allowed: {headroom}): "
                                  f"it recursed; walk with an explicit stack")
    return result
