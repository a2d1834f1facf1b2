"""Hidden tests of tinygrad_res/function.py (never in a handout; `grade` and the autograder
run them): what the public tests of its tasks leave open."""
import numpy as np
import pytest

from course.testing import run_with_recursion_limit
from tinygrad_res import Tensor
from tinygrad_res.function import Function, backprop, topological_order


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


@pytest.mark.task_3_1
def test_a_graph_that_reuses_every_node_is_walked_once_per_tensor():
    # x_{k+1} = x_k + x_k: 2^60 paths from the root, 61 tensors; a walk without a visited
    # set would never end
    x0 = Tensor(1.0, requires_grad=True)
    x = x0
    for _ in range(60):
        x = x + x
    order = run_with_recursion_limit(topological_order, x)
    assert len(order) == 61 and len({id(t) for t in order}) == 61
    assert order[0] is x0 and order[-1] is x


@pytest.mark.task_3_1
def test_a_wide_deep_ladder_lists_every_input_before_its_users():
    # two chains that cross at every step: each tensor is an input of two later ones
    a, b = Tensor(1.0, requires_grad=True), Tensor(2.0, requires_grad=True)
    tensors = [a, b]
    for _ in range(1_500):
        a, b = a + b, b - a
        tensors += [a, b]
    root = a + b
    order = run_with_recursion_limit(topological_order, root)
    position = {id(t): i for i, t in enumerate(order)}
    assert len(order) == len(tensors) + 1 and order[-1] is root
    for tensor in order:
        for parent in (tensor.grad_fn.parents if tensor.grad_fn is not None else ()):
            assert position[id(parent)] < position[id(tensor)]


@pytest.mark.task_3_2
def test_backward_through_a_deep_chain_with_the_recursion_limit_held_low():
    x0, x = chain(3_000)
    run_with_recursion_limit(x.backward)
    np.testing.assert_allclose(x0.grad, 1.0001 ** 3_000, rtol=1e-9)


@pytest.mark.task_3_2
def test_a_tensor_reused_down_a_long_ladder_sums_every_path():
    # x_{k+1} = x_k + x_k doubles the gradient at every step: overwriting would give 1
    x0 = Tensor(1.0, requires_grad=True)
    x = x0
    for _ in range(40):
        x = x + x
    x.backward()
    assert x0.grad == 2.0 ** 40


@pytest.mark.task_3_2
def test_reused_tensors_with_weighted_gradients_and_broadcasting():
    # y = w * x + w (w broadcast over the rows): dy/dw summed over rows of (x + 1) * g
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), requires_grad=True)
    w = Tensor(np.array([0.5, -2.0]), requires_grad=True)
    g = np.array([[1.0, -1.0], [2.0, 0.5], [-3.0, 4.0]])
    (w * x + w).backward(g)
    np.testing.assert_allclose(w.grad, ((x.data + 1.0) * g).sum(axis=0), rtol=1e-15)
    np.testing.assert_allclose(x.grad, g * w.data, rtol=1e-15)


@pytest.mark.task_3_2
def test_a_float32_tensor_times_a_float64_constant_gets_a_float32_gradient():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    (x * np.array([0.1, 0.2]) + x).backward(np.ones(2, dtype=np.float32))
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [1.1, 1.2], rtol=1e-6)


class Halve(Function):
    """z = a / 2 + 0 * b   dz/da = 1/2   dz/db = 0 (backward returns None for b)"""
    name = "halve"
    rule = "a gets half the gradient; b none"

    def forward(self, a, b):
        return a / 2

    def backward(self, grad_output):
        return grad_output / 2, None


class Twice(Function):
    """z = 2 a   dz/da = 2 (backward returns a lone array, not a tuple)"""
    name = "twice"
    rule = "double the gradient"

    def forward(self, a):
        return 2 * a

    def backward(self, grad_output):
        return 2 * grad_output


@pytest.mark.task_3_2
def test_an_op_may_return_none_for_an_input_and_a_lone_array_for_one_input():
    # as a PyTorch Function: None means no gradient, even for an input that requires one
    a = Tensor(np.array([2.0, 4.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 1.0]), requires_grad=True)
    Twice.apply(Halve.apply(a, b)).backward(np.array([1.0, 3.0]))
    np.testing.assert_array_equal(a.grad, [1.0, 3.0])
    assert b.grad is None


@pytest.mark.task_3_2
def test_the_returned_gradients_are_those_of_this_call():
    x = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    h = x * 3.0
    y = (h * h).sum()
    grads = backprop(y, write_grad=False)
    np.testing.assert_allclose(grads[x], 18.0 * x.data, rtol=1e-15)
    np.testing.assert_allclose(grads[h], 2.0 * h.data, rtol=1e-15)
    assert x.grad is None and h.grad is None
