"""Hidden tests of assignment 2 (never in a handout; `grade` and the autograder run them).

Broadcasting's corner cases (an axis of size 0, a 0-d target, axes stretched in the middle),
dtypes kept, and upstream gradients of distinct numbers instead of the ones of `.sum()`. Each
op's backward is called directly (`out.grad_fn.backward(g)`): assignment 2 is worked before
the graph walk of assignment 3.
"""
import numpy as np
import pytest

from tinygrad_res import Tensor
from tinygrad_res.function import unbroadcast


def copies_summed(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """The reference: each entry of grad added to the entry of `shape` it was copied from."""
    out = np.zeros(shape, dtype=grad.dtype)
    for index in np.ndindex(*grad.shape):
        tail = index[grad.ndim - len(shape):]
        out[tuple(0 if n == 1 else i for i, n in zip(tail, shape))] += grad[index]
    return out


@pytest.mark.task_2_1
@pytest.mark.parametrize("big, small", [
    ((2, 3, 4), ()), ((2, 3, 4), (1,)), ((2, 3, 4), (3, 1)), ((2, 3, 4), (1, 3, 1)),
    ((2, 3, 4), (2, 1, 4)), ((5, 1, 4), (1, 1, 4)), ((3, 4), (1, 1, 4)[1:]), ((6,), (1,))],
    ids=str)
def test_unbroadcast_sums_every_copy_of_each_entry(big, small):
    grad = np.arange(1.0, 1.0 + np.prod(big)).reshape(big) * np.where(
        np.arange(np.prod(big)).reshape(big) % 2, -1.0, 0.5)
    result = unbroadcast(grad, small)
    assert isinstance(result, np.ndarray) and result.shape == small
    np.testing.assert_allclose(result, copies_summed(grad, small), rtol=1e-15)


@pytest.mark.task_2_1
def test_an_axis_of_size_1_broadcast_against_size_0_gets_a_zero_gradient():
    # numpy broadcasts 1 against 0: the input's one entry was copied no times
    result = unbroadcast(np.ones((2, 0)), (2, 1))
    assert result.shape == (2, 1)
    np.testing.assert_array_equal(result, np.zeros((2, 1)))
    a, b = Tensor(np.ones(1), requires_grad=True), Tensor(np.ones(0), requires_grad=True)
    grad_a, grad_b = (a * b).grad_fn.backward(np.ones(0))
    grad_a, grad_b = unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)
    assert grad_a.shape == (1,) and grad_a[0] == 0.0 and grad_b.shape == (0,)


@pytest.mark.task_2_1
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unbroadcast_keeps_the_dtype(dtype):
    grad = np.ones((3, 2, 4), dtype=dtype)
    for shape in [(4,), (2, 1), (), (1, 2, 4)]:
        assert unbroadcast(grad, shape).dtype == dtype


@pytest.mark.task_2_1
def test_a_0_d_input_broadcast_everywhere_gets_the_sum_as_a_0_d_array():
    grad = np.array([[1.0, 2.0], [3.0, 4.5]])
    result = unbroadcast(grad, ())
    assert isinstance(result, np.ndarray) and result.shape == () and result == 10.5
    x = Tensor(2.0, requires_grad=True)
    grad_x = unbroadcast((x + Tensor(np.zeros((2, 2)))).grad_fn.backward(grad)[0], x.shape)
    assert grad_x.shape == () and grad_x == 10.5


G = np.array([[[1.0, -2.0, 3.0, 0.5], [4.0, -1.5, 2.0, 7.0], [0.25, 6.0, -3.0, 1.0]],
              [[-1.0, 2.5, 0.0, 5.0], [3.0, 1.0, -4.0, 2.0], [8.0, -0.5, 1.5, -2.0]]])


@pytest.mark.task_2_2
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, -3)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_and_mean_spread_a_weighted_gradient(axis, keepdims):
    x = Tensor(np.zeros((2, 3, 4)), requires_grad=True)
    out = x.sum(axis=axis, keepdims=keepdims)
    g = np.arange(1.0, 1.0 + out.data.size).reshape(out.shape) * 1.5
    axes = tuple(range(3)) if axis is None else tuple(a % 3 for a in np.atleast_1d(axis))
    spread = np.broadcast_to(g if keepdims else np.expand_dims(g, axes), (2, 3, 4))
    np.testing.assert_array_equal(out.grad_fn.backward(g), spread)
    mean_grad = x.mean(axis=axis, keepdims=keepdims).grad_fn.backward(g)
    count = np.prod([(2, 3, 4)[a] for a in axes])
    assert mean_grad.shape == (2, 3, 4)
    np.testing.assert_allclose(mean_grad, spread / count, rtol=1e-15)


@pytest.mark.task_2_2
@pytest.mark.parametrize("name", ["sum", "mean"])
def test_sum_and_mean_keep_float32(name):
    x = Tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    out = getattr(x, name)(axis=1)
    grad = out.grad_fn.backward(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert grad.dtype == np.float32
    scale = 1.0 if name == "sum" else 0.25
    np.testing.assert_allclose(grad, scale * np.array([[1.0], [2.0], [3.0]]).repeat(4, 1))


@pytest.mark.task_2_2
def test_a_mean_of_sums_and_a_sum_of_means():
    # the chain rule by hand through two reductions: the outer one's backward hands the inner
    # one a gradient of 1/3s (mean of 3 sums) or of ones (sum of 2 means); both spread 1/3
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    sums = x.sum(axis=0)
    to_sums = sums.mean().grad_fn.backward(np.array(1.0))
    np.testing.assert_allclose(to_sums, np.full(3, 1 / 3), rtol=1e-15)
    np.testing.assert_allclose(sums.grad_fn.backward(to_sums), np.full((2, 3), 1 / 3),
                               rtol=1e-15)
    means = x.mean(axis=1)
    to_means = means.sum().grad_fn.backward(np.array(1.0))
    np.testing.assert_array_equal(to_means, np.ones(2))
    np.testing.assert_allclose(means.grad_fn.backward(to_means), np.full((2, 3), 1 / 3),
                               rtol=1e-15)


@pytest.mark.task_2_3
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_send_a_weighted_gradient_to_the_winners_ties_shared(name):
    data = np.array([[[1.0, 5.0, 5.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 3.0, 3.0, 3.0]],
                     [[4.0, 4.0, 0.0, 1.0], [7.0, -7.0, 7.0, 0.0], [1.0, 2.0, 3.0, 4.0]]])
    sign = 1.0 if name == "max" else -1.0
    x = Tensor(sign * data, requires_grad=True)
    out = getattr(x, name)(axis=2)
    g = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    winners = data == data.max(axis=2, keepdims=True)
    expected = g[..., None] * winners / winners.sum(axis=2, keepdims=True)
    np.testing.assert_allclose(out.grad_fn.backward(g), expected, rtol=1e-15)


@pytest.mark.task_2_3
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_over_two_axes_splits_between_ties_across_both(keepdims):
    data = np.array([[[3.0, 1.0], [3.0, 3.0]], [[0.0, 2.0], [1.0, -1.0]]])
    x = Tensor(data, requires_grad=True)
    out = x.max(axis=(1, 2), keepdims=keepdims)
    g = np.array([6.0, -4.0]).reshape(out.shape)
    np.testing.assert_allclose(out.grad_fn.backward(g),
                               [[[2.0, 0.0], [2.0, 2.0]], [[0.0, -4.0], [0.0, 0.0]]], rtol=1e-15)


@pytest.mark.task_2_3
def test_max_keeps_float32():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [0.0, -1.0, 2.0]], dtype=np.float32),
               requires_grad=True)
    grad = x.max(axis=1).grad_fn.backward(np.array([2.0, 5.0], dtype=np.float32))
    assert grad.dtype == np.float32
    np.testing.assert_array_equal(grad, [[0.0, 1.0, 1.0], [0.0, 0.0, 5.0]])


def softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_jacobian_applied(a, g, axis, log):
    """g^T J one slice at a time, with the Jacobian written out (the reference)."""
    moved_a, moved_g = np.moveaxis(a, axis, -1), np.moveaxis(g, axis, -1)
    out = np.empty_like(moved_a)
    for index in np.ndindex(*moved_a.shape[:-1]):
        s = softmax(moved_a[index], -1)
        jacobian = np.eye(len(s)) - s[None, :] if log else np.diag(s) - np.outer(s, s)
        out[index] = moved_g[index] @ jacobian
    return np.moveaxis(out, -1, axis)


@pytest.mark.task_2_4
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
def test_softmax_backward_is_the_jacobian_applied_to_a_weighted_gradient(axis, log):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((2, 3, 4))
    x = Tensor(a, requires_grad=True)
    out = x.log_softmax(axis=axis) if log else x.softmax(axis=axis)
    np.testing.assert_allclose(out.grad_fn.backward(G), softmax_jacobian_applied(a, G, axis, log),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.task_2_4
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_backward_keeps_float32_and_a_0_d_input(name):
    x = Tensor(np.array([[1.0, 2.0, 0.5]], dtype=np.float32), requires_grad=True)
    grad = getattr(x, name)(axis=1).grad_fn.backward(
        np.array([[1.0, -1.0, 2.0]], dtype=np.float32))
    assert grad.dtype == np.float32
    expected = softmax_jacobian_applied(np.array([[1.0, 2.0, 0.5]]), np.array(
        [[1.0, -1.0, 2.0]]), 1, name == "log_softmax")
    np.testing.assert_allclose(grad, expected, rtol=1e-5, atol=1e-6)
    s = Tensor(3.0, requires_grad=True)
    grad = getattr(s, name)(axis=0).grad_fn.backward(np.array(2.0))  # one entry: a constant
    assert grad.shape == () and grad == 0.0
