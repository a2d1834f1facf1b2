"""Hidden tests of assignment 1 (never in a handout; `grade` and the autograder run them).

The public tests check gradients with finite differences; these feed an upstream gradient
of distinct numbers, compare against hand-derived values, and read what each op's backward
returns (its shape, None for an input that needs none). Each op's backward is called
directly, with no graph walk: assignment 1 is worked before the walk (assignment 3) exists.
"""
import numpy as np
import pytest

from op_backward import gradient_for, returned
from tinygrad_res import Tensor, linear

G = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])  # the upstream gradient: no two alike


def assert_gradient(got, expected, rtol=1e-15, atol=0.0, seed=0):
    """`got` has expected's shape, or the broadcast shape the op computed with, which the
    engine sums down: then it must agree with `expected` along random directions u (moving
    the input by u moves the op's broadcast input by u broadcast)."""
    expected = np.asarray(expected)
    if got.shape == expected.shape:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)
        return
    assert np.broadcast_shapes(got.shape, expected.shape) == got.shape, \
        f"a gradient of shape {got.shape} for an input of shape {expected.shape}"
    rng = np.random.default_rng(seed)
    for _ in range(4):
        u = rng.standard_normal(expected.shape)
        np.testing.assert_allclose(np.sum(got * np.broadcast_to(u, got.shape)),
                                   np.sum(expected * u), rtol=max(rtol, 1e-12), atol=atol)


def tensors(*arrays):
    return [Tensor(np.array(a, dtype=float), requires_grad=True) for a in arrays]


@pytest.mark.task_1_1
def test_add_sub_neg_pass_a_weighted_gradient_with_the_right_signs():
    a, b = tensors([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[0.5, 0.5, 0.5], [1.0, 1.0, 1.0]])
    grad_a, grad_b = returned(a + b, G)
    np.testing.assert_array_equal(grad_a, G)
    np.testing.assert_array_equal(grad_b, G)
    grad_a, grad_b = returned(a - b, G)
    np.testing.assert_array_equal(grad_a, G)
    np.testing.assert_array_equal(grad_b, -G)
    (grad_a,) = returned(-a, G)
    np.testing.assert_array_equal(grad_a, -G)


@pytest.mark.task_1_1
def test_sub_of_a_broadcast_input_sums_the_negated_gradient():
    a, b = tensors(np.zeros((2, 3)), [10.0, 20.0, 30.0])
    assert_gradient(gradient_for(b, a - b, G), -G.sum(axis=0))
    a, b = tensors(5.0, np.zeros((2, 3)))  # a 0-d tensor minus a matrix
    grad_a, grad_b = returned(a - b, G)
    assert_gradient(grad_a, G.sum())
    np.testing.assert_array_equal(grad_b, -G)


@pytest.mark.task_1_1
def test_a_tensor_used_twice_gets_a_share_per_use():
    # the graph walk adds the shares (assignment 3): a + a gets 1 + 1, b - b gets 1 - 1 = 0
    (a,) = tensors([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    shares = returned(a + a, G)
    assert len(shares) == 2
    for share in shares:
        np.testing.assert_array_equal(share, G)
    first, second = returned(a - a, G)
    np.testing.assert_array_equal(first, G)
    np.testing.assert_array_equal(second, -G)


@pytest.mark.task_1_2
def test_mul_and_div_gradients_hand_derived_with_a_weighted_upstream_gradient():
    a_data = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b_data = np.array([[2.0, -4.0, 0.5], [8.0, -1.0, 0.25]])
    a, b = tensors(a_data, b_data)
    grad_a, grad_b = returned(a * b, G)
    np.testing.assert_allclose(grad_a, G * b_data, rtol=1e-15)
    np.testing.assert_allclose(grad_b, G * a_data, rtol=1e-15)
    grad_a, grad_b = returned(a / b, G)
    np.testing.assert_allclose(grad_a, G / b_data, rtol=1e-15)
    np.testing.assert_allclose(grad_b, -G * a_data / b_data ** 2, rtol=1e-15)


@pytest.mark.task_1_2
def test_div_by_a_broadcast_column_and_a_number_divided_by_a_tensor():
    a, b = tensors(np.arange(1.0, 7.0).reshape(2, 3), [[2.0], [-4.0]])
    grad_a, grad_b = returned(a / b, G)
    np.testing.assert_allclose(grad_a, G / b.data, rtol=1e-15)
    assert_gradient(grad_b, (-G * a.data / b.data ** 2).sum(axis=1, keepdims=True))
    (x,) = tensors([[1.0, 2.0, 4.0], [-1.0, 0.5, 8.0]])
    # the number is the dividend: d/dx = -3 / x^2
    np.testing.assert_allclose(gradient_for(x, 3.0 / x, G), -3.0 * G / x.data ** 2, rtol=1e-15)


@pytest.mark.task_1_2
def test_a_squared_by_mul_gets_a_share_per_use():
    # the graph walk adds the shares: a * a gets 2 a; b / b = 1 gets 1/b - b/b^2 = 0
    (a,) = tensors([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])
    first, second = returned(a * a, G)
    np.testing.assert_allclose(first, a.data * G, rtol=1e-15)
    np.testing.assert_allclose(second, a.data * G, rtol=1e-15)
    first, second = returned(a / a, G)
    np.testing.assert_allclose(first, G / a.data, rtol=1e-15)
    np.testing.assert_allclose(second, -G / a.data, rtol=1e-15)


UNARY = {  # name: (method, input, hand-derived derivative)
    "exp": (Tensor.exp, [[0.0, 1.0, -2.0], [0.5, 3.0, -1.0]], lambda x: np.exp(x)),
    "log": (Tensor.log, [[0.5, 1.0, 2.0], [4.0, 0.25, 8.0]], lambda x: 1 / x),
    "relu": (Tensor.relu, [[-1.0, 2.0, 3.0], [0.5, -4.0, -0.1]], lambda x: (x > 0) * 1.0),
    "tanh": (Tensor.tanh, [[0.0, 1.0, -2.0], [0.5, 3.0, -1.0]],
             lambda x: 1 / np.cosh(x) ** 2),
    "sigmoid": (Tensor.sigmoid, [[0.0, 1.0, -2.0], [0.5, 3.0, -1.0]],
                lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "sqrt": (Tensor.sqrt, [[1.0, 4.0, 9.0], [0.25, 16.0, 2.0]], lambda x: 0.5 / np.sqrt(x)),
    "abs": (Tensor.abs, [[-1.0, 2.0, -3.0], [0.5, -4.0, 1.5]], np.sign),
}


@pytest.mark.task_1_3
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradient_is_the_upstream_gradient_times_the_local_derivative(name):
    method, data, derivative = UNARY[name]
    (x,) = tensors(data)
    (grad,) = returned(method(x), G)
    np.testing.assert_allclose(grad, G * derivative(x.data), rtol=1e-12, atol=1e-15)


@pytest.mark.task_1_3
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_backward_keeps_float32(name):
    method, data, derivative = UNARY[name]
    # the op computes in float32, as its forward did: a float64 gradient would take twice
    # the memory (and the engine would convert it back)
    x = Tensor(np.array(data, dtype=np.float32), requires_grad=True)
    (grad,) = returned(method(x), G.astype(np.float32))
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, G * derivative(np.array(data)), rtol=1e-5, atol=1e-6)


@pytest.mark.task_1_3
def test_unary_ops_chained_multiply_their_derivatives():
    # sqrt(exp(log x)) = sqrt(x): the chain rule by hand, each op fed what the next returned
    (x,) = tensors([[0.5, 1.0, 2.0], [4.0, 0.25, 8.0]])
    logged = x.log()
    exped = logged.exp()
    (grad_exped,) = returned(exped.sqrt(), G)
    (grad_logged,) = returned(exped, grad_exped)
    (grad_x,) = returned(logged, grad_logged)
    np.testing.assert_allclose(grad_x, G * 0.5 / np.sqrt(x.data), rtol=1e-12)


MATMUL_CASES = {  # name: (shape of a, shape of b)
    "vector.vector": ((4,), (4,)), "vector@matrix": ((4,), (4, 3)),
    "matrix@vector": ((3, 4), (4,)), "batch@vector": ((2, 3, 4), (4,)),
    "vector@batch": ((4,), (2, 4, 3)), "batch@matrix": ((2, 3, 4), (4, 5)),
    "broadcast batches": ((2, 1, 3, 4), (5, 4, 2)),
}


def matmul_reference(a, b, g):
    """dz/da and dz/db by the sum z = sum_ij g_ij (a @ b)_ij, one entry at a time."""
    def loss(a_, b_):
        return float(np.sum(g * np.matmul(a_, b_)))

    grads = []
    for which, array in enumerate((a, b)):
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):  # the product is linear in each input
            unit = np.zeros_like(array)
            unit[index] = 1.0
            grad[index] = loss(unit, b) if which == 0 else loss(a, unit)
        grads.append(grad)
    return grads


@pytest.mark.task_1_4
@pytest.mark.parametrize("case", sorted(MATMUL_CASES))
def test_matmul_with_a_weighted_upstream_gradient(case):
    rng = np.random.default_rng(4)
    shape_a, shape_b = MATMUL_CASES[case]
    a, b = (Tensor(rng.standard_normal(s), requires_grad=True) for s in (shape_a, shape_b))
    out = a @ b
    g = rng.standard_normal(out.shape) + 3.0
    for got, expected in zip(returned(out, g), matmul_reference(a.data, b.data, g)):
        assert_gradient(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.task_1_4
@pytest.mark.parametrize("case", ["vector@matrix", "matrix@vector", "batch@vector",
                                  "vector@batch", "vector.vector"])
def test_matmul_backward_returns_gradients_shaped_like_its_inputs(case):
    # the todo: "shaped like a and b": a vector's gradient is a vector (or, when a vector
    # meets a batch, a batch of vectors that fit_gradient sums), not a 1-row matrix
    rng = np.random.default_rng(5)
    shape_a, shape_b = MATMUL_CASES[case]
    a, b = (Tensor(rng.standard_normal(s), requires_grad=True) for s in (shape_a, shape_b))
    out = a @ b
    grad_a, grad_b = returned(out, np.ones(out.shape))
    for grad, shape in ((grad_a, shape_a), (grad_b, shape_b)):
        assert grad.shape[-len(shape):] == shape and grad.ndim <= max(out.ndim, len(shape)), \
            f"{case}: a gradient of shape {grad.shape} for an input of shape {shape}"


@pytest.mark.task_1_4
def test_matmul_of_a_constant_computes_only_the_gradient_wanted():
    rng = np.random.default_rng(6)
    a = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 2)))  # data: no gradient wanted
    grad_a, grad_w = returned(a @ w, G[:, :2].repeat(2, axis=0)[:3])
    assert grad_w is None
    np.testing.assert_allclose(grad_a, G[:, :2].repeat(2, axis=0)[:3] @ w.data.T, rtol=1e-12)
    grad_x, grad_b = returned(w.T @ Tensor(rng.standard_normal((4, 3)), requires_grad=True),
                              np.ones((2, 3)))
    assert grad_x is None and grad_b.shape == (4, 3)


@pytest.mark.task_1_5
@pytest.mark.parametrize("x_shape", [(3,), (2, 3), (4, 2, 3)], ids=str)
def test_linear_with_a_weighted_upstream_gradient(x_shape):
    rng = np.random.default_rng(7)
    x = Tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(5), requires_grad=True)
    out = linear(x, w, b)
    g = rng.standard_normal(out.shape) + 2.0
    grad_x, grad_w, grad_b = returned(out, g)
    rows_g, rows_x = g.reshape(-1, 5), x.data.reshape(-1, 3)
    np.testing.assert_allclose(grad_x, g @ w.data, rtol=1e-12)
    np.testing.assert_allclose(grad_w, sum(np.outer(gi, xi) for gi, xi in zip(rows_g, rows_x)),
                               rtol=1e-12)
    np.testing.assert_allclose(grad_b, rows_g.sum(axis=0), rtol=1e-12)


@pytest.mark.task_1_5
def test_linear_returns_one_gradient_per_input_shaped_like_it():
    rng = np.random.default_rng(8)
    x = Tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)
    w = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(5), requires_grad=True)
    grads = returned(linear(x, w, b), np.ones((4, 2, 5)))
    assert [g.shape for g in grads] == [(4, 2, 3), (5, 3), (5,)]
    grads = returned(linear(x, w), np.ones((4, 2, 5)))
    assert len(grads) == 2 and [g.shape for g in grads] == [(4, 2, 3), (5, 3)]
    v = Tensor(rng.standard_normal(3), requires_grad=True)  # one sample, a vector
    grads = returned(linear(v, w, b), np.arange(5.0))
    assert [g.shape for g in grads] == [(3,), (5, 3), (5,)]
    np.testing.assert_allclose(grads[0], np.arange(5.0) @ w.data, rtol=1e-12)


@pytest.mark.task_1_5
def test_linear_with_frozen_input_or_weight_skips_their_products():
    rng = np.random.default_rng(9)
    x = Tensor(rng.standard_normal((4, 3)))  # data
    w = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    grad_x, grad_w = returned(linear(x, w), np.ones((4, 5)))
    assert grad_x is None
    np.testing.assert_allclose(grad_w, np.ones((5, 4)) @ x.data, rtol=1e-12)
    x.requires_grad = True
    w = Tensor(w.data)  # frozen
    grad_x, grad_w = returned(linear(x, w), np.ones((4, 5)))
    assert grad_w is None
    np.testing.assert_allclose(grad_x, np.ones((4, 5)) @ w.data, rtol=1e-12)
