"""gradcheck_op: one op's backward against finite differences, with no graph walk."""
import re

import numpy as np
import pytest

import tinygrad_res.function as function
from tinygrad_res import Function, GradcheckError, Tensor, gradcheck_op


def leaf(rng, *shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


class Scale(Function):
    """z = a * b   dz/da = b   dz/db = a (b a number-like tensor; the gradients are set below)"""
    name = "scale"
    rule = "a test op whose backward each test sets"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad_output):
        return self.gradients(grad_output, *self.saved)


def scale_with(gradients):
    """An op computing a * b whose backward returns gradients(g, a, b)."""
    return type("ScaleWith", (Scale,), {"gradients": staticmethod(gradients), "name": "scale",
                                        "rule": Scale.rule, "__doc__": Scale.__doc__})


@pytest.fixture
def no_graph_walk(monkeypatch):
    """topological_order and backprop raise: what passes here never walked the graph."""
    def refuse(*args, **kwargs):
        raise AssertionError("the graph was walked")
    monkeypatch.setattr(function, "topological_order", refuse)
    monkeypatch.setattr(function, "backprop", refuse)


@pytest.mark.parametrize("fn, shapes", [
    (lambda a, b: a * b, [(3, 1), (1, 4)]),
    (lambda a, b: a / b, [(2, 3), (3,)]),
    (lambda a, b: a @ b, [(2, 3, 4), (4, 5)]),
    (lambda a, b: a @ b, [(4,), (2, 4, 3)]),
    (lambda a, b: a @ b, [(2, 3, 4), (4,)]),
    (lambda a: a.sum(axis=1), [(3, 4)]),
    (lambda a: a.max(axis=0, keepdims=True), [(3, 4)]),
    (lambda a: a.tanh(), [(5,)]),
    (lambda a: 2.0 - a, [(2, 2)]),
])
def test_correct_ops_pass_without_walking_the_graph(rng, no_graph_walk, fn, shapes):
    inputs = [leaf(rng, *shape) for shape in shapes]
    if fn(*inputs).op == "div":
        inputs[1] = Tensor(np.abs(inputs[1].data) + 1.0, requires_grad=True)
    assert gradcheck_op(fn, *inputs) is True


def test_a_gradient_of_the_input_shape_or_the_broadcast_shape_both_pass(rng, no_graph_walk):
    a, b = leaf(rng, 3, 1), leaf(rng, 1, 4)
    broadcast = scale_with(lambda g, a, b: (g * b, g * a))
    summed = scale_with(lambda g, a, b: ((g * b).sum(axis=1, keepdims=True),
                                         (g * a).sum(axis=0, keepdims=True)))
    assert gradcheck_op(broadcast.apply, a, b)
    assert gradcheck_op(summed.apply, a, b)


class Twice(Function):
    """z = [a, a] (a stacked on itself)   dz/da = 1 for each copy"""
    name = "twice"
    rule = "a gets the gradients of both copies"

    def forward(self, a):
        return np.concatenate([a[None], a[None]])

    def backward(self, grad_output):
        return grad_output * self.weights


def twice_with(weights):
    """Twice, whose backward returns one gradient per copy (shape (2, n)) times weights."""
    return type("TwiceWith", (Twice,), {"weights": weights, "name": "twice",
                                        "rule": Twice.rule, "__doc__": Twice.__doc__})


def test_a_gradient_per_copy_is_checked_along_directions_when_broadcasting_the_input_fails(
        rng, no_graph_walk):
    # (2, n) is a shape a vector broadcasts to, but Twice of a (2, n) input is (2, 2, n): the
    # gradient for the input broadcast first does not exist, so directions u stand in
    x = leaf(rng, 3)
    assert gradcheck_op(twice_with(np.ones((2, 1))).apply, x)
    with pytest.raises(GradcheckError, match=re.escape(
            "twice.backward, input 0 of shape (3,), its gradient of shape (2, 3) along a "
            "random direction")):
        gradcheck_op(twice_with(np.array([[1.0], [0.0]])).apply, x)


def test_a_wrong_factor_is_named_with_op_input_and_entry():
    a = Tensor([[1.0, 2.0]], requires_grad=True)
    b = Tensor([[3.0], [4.0]], requires_grad=True)
    halved = scale_with(lambda g, a, b: (g * b / 2, g * a))
    with pytest.raises(GradcheckError, match=re.escape("scale.backward, input 0 of shape "
                                                       "(1, 2), worst at entry")):
        gradcheck_op(halved.apply, a, b)


def test_a_backward_that_is_not_linear_in_the_output_gradient_is_caught(rng):
    # with one-hot output gradients g * g would equal g: random ones tell them apart
    squared = scale_with(lambda g, a, b: (g * g * b, g * a))
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck_op(squared.apply, leaf(rng, 3), leaf(rng, 3))


def test_a_gradient_of_another_shape_is_an_error_naming_both(rng):
    wrong = scale_with(lambda g, a, b: (np.ones((2, 4)), g * a))
    with pytest.raises(GradcheckError, match=re.escape("shape (2, 4) for input 0 of shape "
                                                       "(3, 4)")):
        gradcheck_op(wrong.apply, leaf(rng, 3, 4), leaf(rng, 3, 4))


@pytest.mark.parametrize("gradients, message", [
    (lambda g, a, b: g * b, "returned 1 gradient(s) for its 2 input(s)"),
    (lambda g, a, b: (None, g * a), "returned None for input 0 of shape (3,), which requires"),
])
def test_the_count_of_gradients_and_a_missing_one_are_errors(rng, gradients, message):
    with pytest.raises(GradcheckError, match=re.escape(message)):
        gradcheck_op(scale_with(gradients).apply, leaf(rng, 3), leaf(rng, 3))


def test_fn_must_apply_one_op_to_each_input_once(rng):
    x = leaf(rng, 3)
    with pytest.raises(ValueError, match="more than one op: an input of sum was made by mul"):
        gradcheck_op(lambda t: (t * 2.0).sum(), x)
    with pytest.raises(ValueError, match=re.escape("is an input of mul 2 times")):
        gradcheck_op(lambda t: t * t, x)
    with pytest.raises(ValueError, match="made by no op"):
        gradcheck_op(lambda t: Tensor([1.0]), x)
    with pytest.raises(TypeError, match="float64"):
        gradcheck_op(lambda t: t.exp(), Tensor([1.0], dtype=np.float32, requires_grad=True))


def test_an_input_that_needs_no_gradient_is_not_checked(rng):
    only_a = scale_with(lambda g, a, b: (g * b, None))
    assert gradcheck_op(only_a.apply, leaf(rng, 3), Tensor(rng.standard_normal(3)))


def test_eps_sets_the_finite_difference_step(rng):
    # exp's central difference with step h is exp(x) * sinh(h) / h: 1.18 exp(x) at h = 1
    x = leaf(rng, 3)
    assert gradcheck_op(lambda t: t.exp(), x)
    with pytest.raises(GradcheckError, match="exp.backward"):
        gradcheck_op(lambda t: t.exp(), x, eps=1.0)
