"""matmul (vectors, matrices, batches with broadcasting) and the fused linear op, each
checked on its own (gradcheck_op: the op's backward called directly, no graph walk)."""
import re

import numpy as np
import pytest

from op_backward import returned
from tinygrad_res import Tensor, gradcheck_op, linear

MATMUL_SHAPES = {
    "vec@vec": ((4,), (4,)),
    "mat@vec": ((3, 4), (4,)),
    "vec@mat": ((4,), (4, 2)),
    "mat@mat": ((3, 4), (4, 2)),
    "batch@mat": ((2, 3, 4), (4, 2)),
    "mat@batch": ((3, 4), (2, 4, 2)),
    "batch@batch": ((2, 3, 4), (2, 4, 2)),
    "broadcast batch dims": ((2, 1, 3, 4), (5, 4, 2)),
    "vec@batch": ((4,), (2, 4, 3)),
    "batch@vec": ((2, 3, 4), (4,)),
}


def leaf(rng, shape, name=None):
    return Tensor(rng.standard_normal(shape), requires_grad=True, name=name)


@pytest.mark.task_1_4
@pytest.mark.parametrize("case", list(MATMUL_SHAPES))
def test_matmul(rng, case):
    shape_a, shape_b = MATMUL_SHAPES[case]
    a, b = leaf(rng, shape_a), leaf(rng, shape_b)
    out = a @ b
    np.testing.assert_allclose(out.data, a.data @ b.data)
    assert gradcheck_op(lambda a, b: a @ b, a, b)
    for grad, shape in zip(returned(out, np.ones(out.shape)), (shape_a, shape_b)):
        # the input's shape, or one it broadcasts to (a batch of gradients, summed for it)
        assert np.broadcast_shapes(grad.shape, shape) == grad.shape


@pytest.mark.task_1_4
def test_matmul_hand_derived():
    # z = a @ b summed: dz/da[i, k] = sum_j b[k, j], dz/db[k, j] = sum_i a[i, k]
    a = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = Tensor([[5.0, 6.0], [7.0, 8.0]], requires_grad=True)
    grad_a, grad_b = returned(a @ b, np.ones((2, 2)))
    np.testing.assert_array_equal(grad_a, [[11.0, 15.0], [11.0, 15.0]])
    np.testing.assert_array_equal(grad_b, [[4.0, 4.0], [6.0, 6.0]])


@pytest.mark.task_1_4
def test_matmul_with_a_numpy_array(rng):
    a = leaf(rng, (3, 4))
    w = rng.standard_normal((4, 2))
    np.testing.assert_allclose((a @ w).data, a.data @ w)
    a_t = Tensor(a.data.T, requires_grad=True)
    np.testing.assert_allclose((w.T @ a_t).data, w.T @ a.data.T)
    assert gradcheck_op(lambda a: a @ w, a)      # tensor @ array
    assert gradcheck_op(lambda t: w.T @ t, a_t)  # array @ tensor


def test_matmul_errors():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones((5, 2)))
    with pytest.raises(ValueError,
                       match=re.escape("matmul: shapes (3, 4) and (5, 2) do not align")):
        a @ b
    with pytest.raises(ValueError, match=re.escape("matmul: shapes (3,) and (4,) do not align")):
        Tensor(np.ones(3)) @ Tensor(np.ones(4))
    with pytest.raises(ValueError, match=re.escape("matmul: both operands need at least 1 dim")):
        Tensor(2.0) @ a
    with pytest.raises(ValueError, match=re.escape(
            "matmul: cannot broadcast (2, 3, 4) with (3, 4, 5)")):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5)))


@pytest.mark.task_1_5
@pytest.mark.parametrize("x_shape", [(4,), (3, 4), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_linear(rng, x_shape, bias):
    x, w = leaf(rng, x_shape), leaf(rng, (5, 4))
    inputs = (x, w, leaf(rng, (5,))) if bias else (x, w)
    out = linear(*inputs)
    expected = x.data @ w.data.T + (inputs[2].data if bias else 0.0)
    np.testing.assert_allclose(out.data, expected)
    assert gradcheck_op(linear, *inputs)
    assert [g.shape for g in returned(out, np.ones(out.shape))] == [t.shape for t in inputs]


@pytest.mark.task_1_5
def test_linear_matches_matmul_by_the_transposed_weight_plus_the_bias(rng):
    x, w, b = leaf(rng, (3, 4)), leaf(rng, (2, 4)), leaf(rng, (2,))
    g = rng.standard_normal((3, 2))
    out = linear(x, w, b)
    grad_x, grad_w, grad_b = returned(out, g)
    product = x @ Tensor(w.data.T, requires_grad=True)  # the same numbers, by task 1.4's op
    np.testing.assert_allclose(out.data, product.data + b.data)
    matmul_x, matmul_w_t = returned(product, g)
    np.testing.assert_allclose(grad_x, matmul_x)
    np.testing.assert_allclose(grad_w, matmul_w_t.T)
    np.testing.assert_allclose(grad_b, g[0] + g[1] + g[2])  # b is added to each of 3 rows


def test_linear_errors():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=re.escape(
            "linear: input (2, 3) does not fit weight (4, 5) (expected (..., 5)")):
        linear(x, Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError,
                       match=re.escape("linear: input (2, 3) does not fit weight (3,)")):
        linear(x, Tensor(np.ones(3)))
    with pytest.raises(ValueError, match=re.escape(
            "linear: bias (5,) does not fit weight (4, 3)")):
        linear(x, Tensor(np.ones((4, 3))), Tensor(np.ones(5)))


@pytest.mark.task_1_5
def test_linear_with_a_frozen_weight_still_sends_gradients_to_x_and_bias(rng):
    x = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    w = Tensor(rng.normal(size=(2, 3)))  # frozen: no gradient wanted, none computed
    b = Tensor(rng.normal(size=2), requires_grad=True)
    grad_x, grad_w, grad_b = returned(linear(x, w, b), np.ones((4, 2)))
    assert grad_w is None
    np.testing.assert_allclose(grad_x, np.ones((4, 2)) @ w.data, rtol=1e-12)  # d/dx sum(x W^T)
    np.testing.assert_allclose(grad_b, np.full(2, 4.0), rtol=1e-12)           # 4 rows
