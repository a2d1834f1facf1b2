"""Reductions (sum, mean, max) and softmax / log-softmax: values against numpy, gradients
against finite differences."""
import re

import numpy as np
import pytest

from tinygrad_res import Tensor, gradcheck

AXES = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)]


def leaf(rng, shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", [pytest.param("sum", marks=pytest.mark.task_2_2),
                                  pytest.param("mean", marks=pytest.mark.task_2_2),
                                  pytest.param("max", marks=pytest.mark.task_2_3)])
def test_reduction_values_and_gradients(rng, name, axis, keepdims):
    # random normal entries have no ties, so max is differentiable here
    x = leaf(rng, (2, 3, 4))
    reduce = lambda t: getattr(t, name)(axis=axis, keepdims=keepdims)  # noqa: E731
    expected = getattr(np, name)(x.data, axis=axis, keepdims=keepdims)
    out = reduce(x)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected)
    assert gradcheck(reduce, x)


@pytest.mark.task_2_2
def test_sum_and_mean_of_a_scalar(rng):
    x = leaf(rng, ())
    assert gradcheck(lambda t: t.sum() * 2 + t.mean(), x)


@pytest.mark.task_2_2
def test_mean_gradient_is_one_over_count():
    x = Tensor(np.zeros((2, 5)), requires_grad=True)
    x.mean(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 5), 0.2))


@pytest.mark.task_2_3
def test_max_ties_share_the_gradient_equally():
    # as torch.amax: the gradient is split evenly between the tied maxima
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0.5, 0.5], [0, 0, 0]])


@pytest.mark.task_2_3
def test_max_gradient_goes_to_the_argmax(rng):
    x = leaf(rng, (4, 3))
    x.max(axis=0, keepdims=True).sum().backward()
    expected = np.zeros((4, 3))
    expected[np.argmax(x.data, axis=0), np.arange(3)] = 1.0
    np.testing.assert_array_equal(x.grad, expected)


@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_axis_out_of_range(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=re.escape(
            f"{name}: axis 2 is out of range for a tensor with 2 dims")):
        getattr(x, name)(axis=2)
    with pytest.raises(ValueError, match=re.escape(f"{name}: axis -3 is out of range")):
        getattr(x, name)(axis=(0, -3))


def test_repeated_axis_is_an_error():
    with pytest.raises(ValueError, match=re.escape("sum: axis (1, -1) repeats an axis")):
        Tensor(np.ones((2, 3))).sum(axis=(1, -1))


def softmax_reference(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.task_2_4
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_softmax(rng, axis):
    x = leaf(rng, (2, 3, 4))
    out = x.softmax(axis=axis)
    np.testing.assert_allclose(out.data, softmax_reference(x.data, axis))
    np.testing.assert_allclose(out.data.sum(axis=axis), 1.0)
    assert gradcheck(lambda t: t.softmax(axis=axis), x)


@pytest.mark.task_2_4
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_log_softmax(rng, axis):
    x = leaf(rng, (2, 3, 4))
    out = x.log_softmax(axis=axis)
    np.testing.assert_allclose(out.data, np.log(softmax_reference(x.data, axis)))
    assert gradcheck(lambda t: t.log_softmax(axis=axis), x)


def test_softmax_default_axis_is_last(rng):
    x = leaf(rng, (3, 4))
    np.testing.assert_allclose(x.softmax().data, softmax_reference(x.data, -1))


@pytest.mark.task_2_4
def test_softmax_and_log_softmax_are_stable_for_large_values(rng):
    # exp(1000) overflows; shifting by the max must make the result depend only on differences
    small = rng.standard_normal((3, 4))
    x = Tensor(small + 1000.0, requires_grad=True)
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_allclose(x.softmax(axis=1).data, softmax_reference(small, 1))
        np.testing.assert_allclose(x.log_softmax(axis=0).data,
                                   np.log(softmax_reference(small, 0)), atol=1e-12)
        assert gradcheck(lambda t: t.softmax(axis=1) * t.log_softmax(axis=0), x)
    y = Tensor([-1000.0, 0.0, 1000.0]).log_softmax()
    np.testing.assert_allclose(y.data, [-2000.0, -1000.0, 0.0])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_takes_a_single_axis(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match=f"{name}: axis must be a single int, got \\(0, 1\\)"):
        getattr(x, name)(axis=(0, 1))
    with pytest.raises(ValueError, match=f"{name}: axis 2 is out of range"):
        getattr(x, name)(axis=2)
