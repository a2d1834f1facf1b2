"""Reductions (sum, mean, max) and softmax / log-softmax: values against numpy, gradients
against finite differences.

Each gradient test calls the one op's backward directly (`gradcheck_op`, or
`out.grad_fn.backward(g)`): assignment 2 is worked before the graph walk of assignment 3."""
import re
import warnings

import numpy as np
import pytest

from op_backward import gradient_for
from tinygrad_res import Tensor, gradcheck_op

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
    assert gradcheck_op(reduce, x)


@pytest.mark.task_2_2
def test_sum_and_mean_of_a_scalar(rng):
    x = leaf(rng, ())
    for name in ["sum", "mean"]:
        for options in [{}, {"axis": 0}, {"axis": -1, "keepdims": True}]:
            reduce = lambda t: getattr(t, name)(**options)  # noqa: E731
            assert gradcheck_op(reduce, x)
            assert gradient_for(x, reduce(x), np.array(2.0)).shape == ()


@pytest.mark.task_2_2
def test_mean_gradient_is_one_over_count():
    x = Tensor(np.zeros((2, 5)), requires_grad=True)
    np.testing.assert_array_equal(gradient_for(x, x.mean(axis=1)), np.full((2, 5), 0.2))


@pytest.mark.task_2_3
def test_max_ties_share_the_gradient_equally():
    # as torch.amax: the gradient is split evenly between the tied maxima
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    np.testing.assert_allclose(gradient_for(x, x.max(axis=1)),
                               [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_array_equal(gradient_for(x, x.max()), [[0, 0.5, 0.5], [0, 0, 0]])


@pytest.mark.task_2_3
def test_max_gradient_goes_to_the_argmax(rng):
    x = leaf(rng, (4, 3))
    expected = np.zeros((4, 3))
    expected[np.argmax(x.data, axis=0), np.arange(3)] = 1.0
    np.testing.assert_array_equal(gradient_for(x, x.max(axis=0, keepdims=True)), expected)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std"])
def test_dim_out_of_range_is_an_index_error_as_in_pytorch(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(IndexError, match=re.escape(
            f"{name}: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)")):
        getattr(x, name)(axis=2)
    with pytest.raises(IndexError, match=re.escape(f"{name}: dim -3 is out of range")):
        getattr(x, name)(dim=(0, -3))


def test_repeated_dim_is_an_error():
    with pytest.raises(ValueError, match=re.escape("sum: dim (1, -1) names a dim more than once")):
        Tensor(np.ones((2, 3))).sum(axis=(1, -1))


# var(True) is torch's var(unbiased=True): see test_var_takes_both_of_torch_var_signatures
@pytest.mark.parametrize("name, dim", [
    (name, dim) for name in ["sum", "mean", "max", "min", "var", "std", "logsumexp"]
    for dim in [1.5, (0, 1.5), True, "0"] if not (dim is True and name in ("var", "std"))])
def test_a_dim_that_is_not_an_int_is_a_type_error_naming_it(name, dim):
    with pytest.raises(TypeError, match=re.escape(f"{name}: a dim must be an int, got ")):
        getattr(Tensor(np.ones((2, 3))), name)(dim)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "var", "logsumexp"])
def test_an_empty_dim_tuple_is_refused(name):
    # PyTorch reduces every dim for dim=(), numpy none for axis=(): either reading would
    # surprise someone
    with pytest.raises(ValueError, match=re.escape(f"{name}: dim=() is ambiguous")):
        getattr(Tensor(np.ones((2, 3))), name)(())


def test_keepdim_must_be_a_bool():
    # x.sum(0, 1) is not a sum over dims (0, 1): PyTorch refuses it, so do we
    with pytest.raises(TypeError, match="sum: keepdim must be True or False, got 1"):
        Tensor(np.ones((2, 3))).sum(0, 1)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "logsumexp",
                                  "softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, -1])
def test_a_0d_tensor_takes_dim_0_and_minus_1(torch, name, dim):
    reference = {"max": "amax", "min": "amin"}.get(name, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # var of one entry: N - correction = 0; both warn
        ours = getattr(Tensor(2.5), name)(dim)
        expected = getattr(torch.tensor(2.5, dtype=torch.float64), reference)(dim)
    assert ours.shape == ()
    np.testing.assert_allclose(ours.data, expected.numpy())
    with pytest.raises(IndexError, match=f"{name}: dim 1 is out of range for a tensor with 0 "
                                         f"dims \\(expected -1 to 0\\)"):
        getattr(Tensor(2.5), name)(1)


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
    assert gradcheck_op(lambda t: t.softmax(axis=axis), x)


@pytest.mark.task_2_4
@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_log_softmax(rng, axis):
    x = leaf(rng, (2, 3, 4))
    out = x.log_softmax(axis=axis)
    np.testing.assert_allclose(out.data, np.log(softmax_reference(x.data, axis)))
    assert gradcheck_op(lambda t: t.log_softmax(axis=axis), x)


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
        assert gradcheck_op(lambda t: t.softmax(axis=1), x)
        assert gradcheck_op(lambda t: t.log_softmax(axis=0), x)
    y = Tensor([-1000.0, 0.0, 1000.0]).log_softmax()
    np.testing.assert_allclose(y.data, [-2000.0, -1000.0, 0.0])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_takes_a_single_dim(name):
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match=f"{name}: a dim must be an int, got \\(0, 1\\)"):
        getattr(x, name)(axis=(0, 1))
    with pytest.raises(IndexError, match=f"{name}: dim 2 is out of range"):
        getattr(x, name)(dim=2)


@pytest.mark.task_2_3
def test_min_values_and_gradients(rng):
    x = leaf(rng, (2, 3, 4))
    for dim in [None, 1, (0, 2)]:
        np.testing.assert_array_equal(x.min(dim).data, np.min(x.data, axis=dim))
        assert gradcheck_op(lambda t: t.min(dim, keepdim=True), x)


@pytest.mark.task_2_3
def test_min_ties_share_the_gradient_as_torch_amin():
    x = Tensor([[1.0, -3.0, -3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    np.testing.assert_allclose(gradient_for(x, x.min(dim=1)),
                               [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_over_a_size_0_dim_are_errors_naming_it(name):
    x = Tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=re.escape(
            f"{name}: cannot reduce dim 0 of size 0 (shape (0, 3)): an empty set has no {name}")):
        getattr(x, name)(0)
    with pytest.raises(ValueError, match=f"{name}: cannot reduce dim 0 of size 0"):
        getattr(x, name)()
    assert getattr(x, name)(1).shape == (0,)  # as torch.amax: other dims may be empty


@pytest.mark.parametrize("correction", [0, 1, 2, 0.5])
@pytest.mark.parametrize("dim", [None, 0, (1, 2), -1], ids=str)
def test_var_and_std_against_numpy(rng, dim, correction):
    x = Tensor(rng.standard_normal((4, 3, 5)))
    np.testing.assert_allclose(x.var(dim, correction=correction).data,
                               np.var(x.data, axis=dim, ddof=correction))
    np.testing.assert_allclose(x.std(dim, keepdim=True, correction=correction).data,
                               np.std(x.data, axis=dim, ddof=correction, keepdims=True))


@pytest.mark.task_2_2
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_gradients(rng, name):
    x = leaf(rng, (4, 3, 5))
    assert gradcheck_op(lambda t: getattr(t, name)((0, 2)), x)
    assert gradcheck_op(lambda t: getattr(t, name)(correction=0), x)
    assert gradcheck_op(lambda t: getattr(t, name)(-1, keepdim=True, correction=2), x)


@pytest.mark.task_2_2
def test_std_of_equal_entries_has_zero_gradient_as_pytorch():
    # d sqrt(v) / dv is infinite at v = 0 and (a - mean) is 0: PyTorch picks 0, not 0 / 0
    x = Tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], requires_grad=True)
    np.testing.assert_allclose(gradient_for(x, x.std(dim=1)), [[0, 0, 0], [-0.5, 0, 0.5]])


def test_var_takes_both_of_torch_var_signatures(rng):
    x = Tensor(rng.standard_normal((3, 4)))
    biased = np.var(x.data, axis=1, keepdims=True)
    np.testing.assert_allclose(x.var(1, False, True).data, biased)  # var(dim, unbiased, keepdim)
    np.testing.assert_allclose(x.var(1, unbiased=True).data, np.var(x.data, axis=1, ddof=1))
    np.testing.assert_allclose(x.var(False).data, np.var(x.data))  # var(unbiased)
    np.testing.assert_allclose(x.std(axis=1, keepdims=True, correction=0).data, np.sqrt(biased))
    with pytest.raises(TypeError, match="var: give correction= or unbiased=, not both"):
        x.var(1, True, correction=1)
    with pytest.raises(TypeError, match="std: unbiased must be True or False, got 2; for other "
                                        "corrections give correction="):
        x.std(1, 2)
    with pytest.raises(TypeError, match="var: correction must be a number, got 'one'"):
        x.var(correction="one")


@pytest.mark.task_2_2
def test_var_gradient_without_degrees_of_freedom_keeps_n_minus_correction_as_torch(torch):
    # torch clamps N - correction at 0 in the forward only (when a dim is given)
    data = np.array([[2.0, 3.0], [1.0, 5.0]])
    for correction in [2, 3, 5]:
        x, t = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out, expected = x.var(0, correction=correction), t.var(0, correction=correction)
        np.testing.assert_array_equal(out.data, expected.detach().numpy())
        expected.backward(torch.ones(2, dtype=torch.float64))
        np.testing.assert_array_equal(gradient_for(x, out), t.grad.numpy())


def test_var_without_degrees_of_freedom_warns_and_gives_inf_or_nan_as_pytorch():
    with pytest.warns(RuntimeWarning, match="var: N - correction = 1 - 1 is not positive"):
        assert np.isnan(Tensor([2.0]).var().item())
    with pytest.warns(RuntimeWarning, match="std: N - correction = 2 - 2 is not positive"):
        assert np.isinf(Tensor([2.0, 3.0]).std(correction=2).item())


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_a_size_0_dim_is_empty_as_pytorch(name):
    for shape, dim in [((2, 0), 1), ((2, 0), 0), ((0, 3), -1)]:
        with np.errstate(all="raise"):  # no warning either
            out = getattr(Tensor(np.zeros(shape)), name)(dim)
        assert out.shape == shape


def test_softmax_of_a_0d_tensor(rng):
    assert Tensor(3.0).softmax(0).item() == 1.0
    assert Tensor(-7.0).log_softmax(-1).item() == 0.0


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "softmax",
                                  "log_softmax"])
def test_float32_stays_float32(rng, name):
    x = Tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    out = getattr(x, name)(1)
    assert out.dtype == np.float32


def argmax_cases():
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [5.0, -1.0, 5.0]])
    return [(ties, None, False), (ties, 1, False), (ties, 0, True), (ties, -1, True),
            (ties, None, True), (np.array(4.0), 0, False), (np.array(4.0), None, True)]


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("case", range(7))
def test_argmax_and_argmin_as_torch_first_position_at_ties(torch, name, case):
    data, dim, keepdim = argmax_cases()[case]
    ours = getattr(Tensor(data), name)(dim, keepdim=keepdim)
    expected = getattr(torch.tensor(data), name)(dim=dim, keepdim=keepdim).numpy()
    assert isinstance(ours, np.ndarray) and ours.dtype == np.int64
    assert ours.shape == expected.shape
    np.testing.assert_array_equal(ours, expected)


def test_argmax_positions_index_the_tensor_and_carry_no_gradient(rng):
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    best = x.argmax(dim=1)
    np.testing.assert_array_equal(x[np.arange(4), best].data, x.data.max(axis=1))
    assert x.argmax(axis=0, keepdims=True).shape == (1, 3)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_errors(name):
    x = Tensor(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=re.escape(f"{name}: cannot reduce dim 0 of size 0")):
        getattr(x, name)(0)
    with pytest.raises(TypeError, match=f"{name}: a dim must be an int, got \\(0, 1\\)"):
        getattr(Tensor(np.ones((2, 3))), name)((0, 1))
    with pytest.raises(IndexError, match=f"{name}: dim 2 is out of range"):
        getattr(Tensor(np.ones((2, 3))), name)(2)
