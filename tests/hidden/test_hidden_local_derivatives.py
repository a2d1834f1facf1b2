"""Hidden tests of assignment 1 (never in a handout; `grade` and the autograder run them).

The public tests check gradients with finite differences from a sum, where the upstream
gradient is all ones; these feed an upstream gradient of distinct numbers, compare against
hand-derived values, and read what each op's backward returns before the engine fits it
(its shape, through backprop's on_step hook).
"""
import numpy as np
import pytest

from tinygrad_res import Tensor, linear
from tinygrad_res.function import backprop

G = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])  # the upstream gradient: no two alike


def returned(out: Tensor, grad) -> list:
    """What the op that made `out` returned from backward, as it returned it."""
    seen = []

    def on_step(tensor, _grad, input_grads):
        if tensor is out:
            seen.extend(input_grads)

    backprop(out, grad, write_grad=False, on_step=on_step)
    return seen


def tensors(*arrays):
    return [Tensor(np.array(a, dtype=float), requires_grad=True) for a in arrays]


@pytest.mark.task_1_1
def test_add_sub_neg_pass_a_weighted_gradient_with_the_right_signs():
    a, b = tensors([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[0.5, 0.5, 0.5], [1.0, 1.0, 1.0]])
    (a + b).backward(G)
    np.testing.assert_array_equal(a.grad, G)
    np.testing.assert_array_equal(b.grad, G)
    a, b = tensors(a.data, b.data)
    (a - b).backward(G)
    np.testing.assert_array_equal(a.grad, G)
    np.testing.assert_array_equal(b.grad, -G)
    (a,) = tensors(a.data)
    (-a).backward(G)
    np.testing.assert_array_equal(a.grad, -G)


@pytest.mark.task_1_1
def test_sub_of_a_broadcast_input_sums_the_negated_gradient():
    a, b = tensors(np.zeros((2, 3)), [10.0, 20.0, 30.0])
    (a - b).backward(G)
    np.testing.assert_array_equal(b.grad, -G.sum(axis=0))
    a, b = tensors(5.0, np.zeros((2, 3)))  # a 0-d tensor minus a matrix
    (a - b).backward(G)
    assert a.grad.shape == () and a.grad == G.sum()
    np.testing.assert_array_equal(b.grad, -G)


@pytest.mark.task_1_1
def test_a_tensor_used_twice_gets_both_shares():
    (a,) = tensors([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    (a + a - (-a)).backward(G)  # d/da = 1 + 1 + 1
    np.testing.assert_array_equal(a.grad, 3 * G)
    (b,) = tensors(a.data)
    (b - b).backward(G)  # the two shares cancel
    np.testing.assert_array_equal(b.grad, np.zeros_like(G))


@pytest.mark.task_1_2
def test_mul_and_div_gradients_hand_derived_with_a_weighted_upstream_gradient():
    a_data = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b_data = np.array([[2.0, -4.0, 0.5], [8.0, -1.0, 0.25]])
    a, b = tensors(a_data, b_data)
    (a * b).backward(G)
    np.testing.assert_allclose(a.grad, G * b_data, rtol=1e-15)
    np.testing.assert_allclose(b.grad, G * a_data, rtol=1e-15)
    a, b = tensors(a_data, b_data)
    (a / b).backward(G)
    np.testing.assert_allclose(a.grad, G / b_data, rtol=1e-15)
    np.testing.assert_allclose(b.grad, -G * a_data / b_data ** 2, rtol=1e-15)


@pytest.mark.task_1_2
def test_div_by_a_broadcast_column_and_a_number_divided_by_a_tensor():
    a, b = tensors(np.arange(1.0, 7.0).reshape(2, 3), [[2.0], [-4.0]])
    (a / b).backward(G)
    np.testing.assert_allclose(a.grad, G / b.data, rtol=1e-15)
    np.testing.assert_allclose(b.grad, (-G * a.data / b.data ** 2).sum(axis=1, keepdims=True),
                               rtol=1e-15)
    (x,) = tensors([[1.0, 2.0, 4.0], [-1.0, 0.5, 8.0]])
    (3.0 / x).backward(G)  # the number is the dividend: d/dx = -3 / x^2
    np.testing.assert_allclose(x.grad, -3.0 * G / x.data ** 2, rtol=1e-15)


@pytest.mark.task_1_2
def test_a_squared_by_mul_gets_both_shares():
    (a,) = tensors([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])
    (a * a).backward(G)
    np.testing.assert_allclose(a.grad, 2 * a.data * G, rtol=1e-15)
    (b,) = tensors(a.data)
    (b / b).backward(G)  # = 1: the shares 1/b and -b/b^2 cancel
    np.testing.assert_allclose(b.grad, np.zeros_like(G), atol=1e-15)


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
    method(x).backward(G)
    np.testing.assert_allclose(x.grad, G * derivative(x.data), rtol=1e-12, atol=1e-15)


@pytest.mark.task_1_3
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_backward_keeps_float32(name):
    method, data, derivative = UNARY[name]
    x = Tensor(np.array(data, dtype=np.float32), requires_grad=True)
    method(x).backward(G.astype(np.float32))
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, G * derivative(np.array(data)), rtol=1e-5, atol=1e-6)


@pytest.mark.task_1_3
def test_unary_ops_chained_multiply_their_derivatives():
    (x,) = tensors([[0.5, 1.0, 2.0], [4.0, 0.25, 8.0]])
    x.log().exp().sqrt().backward(G)  # sqrt(exp(log x)) = sqrt(x)
    np.testing.assert_allclose(x.grad, G * 0.5 / np.sqrt(x.data), rtol=1e-12)


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
    out.backward(g)
    grad_a, grad_b = matmul_reference(a.data, b.data, g)
    np.testing.assert_allclose(a.grad, grad_a, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad, grad_b, rtol=1e-10, atol=1e-12)


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
    out.backward(g)
    rows_g, rows_x = g.reshape(-1, 5), x.data.reshape(-1, 3)
    np.testing.assert_allclose(x.grad, g @ w.data, rtol=1e-12)
    np.testing.assert_allclose(w.grad, sum(np.outer(gi, xi) for gi, xi in zip(rows_g, rows_x)),
                               rtol=1e-12)
    np.testing.assert_allclose(b.grad, rows_g.sum(axis=0), rtol=1e-12)


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
