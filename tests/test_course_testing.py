"""course/testing.py: the recursion guard catches recursion however it is dressed up."""
import sys

import pytest

from course.testing import RecursionGuardError, run_with_recursion_limit


class Node:
    def __init__(self, parent=None):
        self.parents = [parent] if parent is not None else []


def deep(n=3_000):
    node = Node()
    for _ in range(n):
        node = Node(node)
    return node


def depth_by_loop(node):
    depth = 0
    while node.parents:
        node, depth = node.parents[0], depth + 1
    return depth


def recursive_depth(node):
    return 1 + recursive_depth(node.parents[0]) if node.parents else 0


def test_an_iterative_walk_passes_and_returns_its_result():
    assert run_with_recursion_limit(depth_by_loop, deep()) == 3_000
    assert sys.setrecursionlimit.__name__ == "setrecursionlimit"  # put back


def test_a_recursive_walk_hits_the_limit():
    limit = sys.getrecursionlimit()
    with pytest.raises(RecursionGuardError, match="hit the recursion limit"):
        run_with_recursion_limit(recursive_depth, deep())
    assert sys.getrecursionlimit() == limit


def test_raising_the_limit_through_sys_is_refused():
    def cheat(root):
        sys.setrecursionlimit(100_000)
        return recursive_depth(root)

    with pytest.raises(RecursionGuardError, match=r"called sys.setrecursionlimit\(100000\)"):
        run_with_recursion_limit(cheat, deep())


def test_a_refusal_caught_by_the_code_still_fails():
    def cheat(root):
        try:
            sys.setrecursionlimit(100_000)
        except Exception:
            pass
        return depth_by_loop(root)

    with pytest.raises(RecursionGuardError, match="caught the refusal"):
        run_with_recursion_limit(cheat, deep())


def test_an_alias_imported_before_is_seen_whether_or_not_the_limit_is_put_back():
    from sys import getrecursionlimit, setrecursionlimit

    def raise_and_leave(root):
        setrecursionlimit(100_000)
        return recursive_depth(root)

    def raise_and_restore(root):
        old = getrecursionlimit()
        setrecursionlimit(100_000)
        try:
            return recursive_depth(root)
        finally:
            setrecursionlimit(old)

    limit = sys.getrecursionlimit()
    with pytest.raises(RecursionGuardError, match="changed the recursion limit to 100000"):
        run_with_recursion_limit(raise_and_leave, deep())
    with pytest.raises(RecursionGuardError, match=r"went \d+ calls deep \(allowed: 100\)"):
        run_with_recursion_limit(raise_and_restore, deep())
    assert sys.getrecursionlimit() == limit


def test_a_shallow_recursion_within_the_headroom_is_allowed():
    assert run_with_recursion_limit(recursive_depth, deep(20)) == 20
