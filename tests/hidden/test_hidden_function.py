"""Hidden tests of tinygrad_res/function.py (never in a handout; `grade` and the autograder
run them): what the public tests of its tasks leave open."""
import pytest

from course.testing import run_with_recursion_limit
from tinygrad_res import Tensor
from tinygrad_res.function import topological_order


def chain(steps: int):
    x0 = Tensor(1.0, requires_grad=True)
    x = x0
    for _ in range(steps):
        x = x * 1.0001
    return x0, x


@pytest.mark.task_3_1
def test_a_deep_chain_is_walked_with_the_recursion_limit_held_low():
    # a recursive walk plus sys.setrecursionlimit(100000) passes the public 20,000-op chain;
    # here the limit is held 100 frames above the caller and may not be raised
    x0, x = chain(3_000)
    order = run_with_recursion_limit(topological_order, x)
    assert len(order) == 2 * 3_000 + 1  # every product and its constant, and x0
    assert order[0] is x0 and order[-1] is x
