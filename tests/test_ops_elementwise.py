"""Elementwise ops, each checked on its own against central finite differences (gradcheck_op,
float64): one op's backward, called directly, with no graph walk, so these tests need only
the op itself (assignment 1), not the graph walk of assignment 3.

Inputs are kept away from non-differentiable points (relu and abs at 0, ties in maximum):
there a finite difference straddles the kink and measures an average, not a derivative.
"""
import re
import warnings

import numpy as np
import pytest

from op_backward import gradient_for
from tinygrad_res import Tensor, gradcheck_op, maximum, where

# (shape of a, shape of b): equal shapes, a trailing vector, an outer product, a scalar
# times a matrix, and broadcasting that adds a leading axis to both sides.
BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (3, 4)),
                   ((2, 1, 4), (3, 1))]


def leaf(rng, shape, low=None, high=None, name=None):
    """A float64 tensor that requires grad: standard normal, or uniform in [low, high)."""
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return Tensor(data, requires_grad=True, name=name)


def away_from_zero(rng, shape):
    """Entries with |x| in [0.5, 2): safe for division, relu, abs and maximum."""
    signs = rng.choice([-1.0, 1.0], size=shape)
    return Tensor(signs * rng.uniform(0.5, 2.0, shape), requires_grad=True)


@pytest.mark.parametrize("shape_a, shape_b", BROADCAST_PAIRS)
@pytest.mark.parametrize("op", [
    pytest.param(lambda a, b: a + b, id="add", marks=pytest.mark.task_1_1),
    pytest.param(lambda a, b: a - b, id="sub", marks=pytest.mark.task_1_1),
    pytest.param(lambda a, b: a * b, id="mul", marks=pytest.mark.task_1_2)])
def test_add_sub_mul_broadcast(rng, op, shape_a, shape_b):
    a, b = leaf(rng, shape_a), leaf(rng, shape_b)
    assert gradcheck_op(op, a, b)
    out = op(a, b)
    np.testing.assert_allclose(out.data, op(a.data, b.data))
    for x in (a, b):  # the output's shape, or the input's own (see Function.backward)
        assert gradient_for(x, out, np.ones(out.shape)).shape in (out.shape, x.shape)


@pytest.mark.task_1_2
@pytest.mark.parametrize("shape_a, shape_b", BROADCAST_PAIRS)
def test_div_broadcast(rng, shape_a, shape_b):
    a, b = leaf(rng, shape_a), away_from_zero(rng, shape_b)
    assert gradcheck_op(lambda a, b: a / b, a, b)
    out = a / b
    np.testing.assert_allclose(out.data, a.data / b.data)
    for x in (a, b):
        assert gradient_for(x, out, np.ones(out.shape)).shape in (out.shape, x.shape)


@pytest.mark.task_1_1
def test_neg(rng):
    a = leaf(rng, (3, 4))
    assert gradcheck_op(lambda a: -a, a)
    np.testing.assert_array_equal((-a).data, -a.data)


ARRAY = np.array([0.5, -1.5, 2.0, -0.75])  # a constant: no gradient
# every operator form with a number or an array on either side; `a` stays away from zero
NUMBER_AND_ARRAY_FORMS = [
    pytest.param(lambda a: 2.0 + a, id="number+tensor", marks=pytest.mark.task_1_1),
    pytest.param(lambda a: a + 1.0, id="tensor+number", marks=pytest.mark.task_1_1),
    pytest.param(lambda a: a - 2.0, id="tensor-number", marks=pytest.mark.task_1_1),
    pytest.param(lambda a: 2.0 - a, id="number-tensor", marks=pytest.mark.task_1_1),
    pytest.param(lambda a: ARRAY + a, id="array+tensor", marks=pytest.mark.task_1_1),
    pytest.param(lambda a: ARRAY - a, id="array-tensor", marks=pytest.mark.task_1_1),
    pytest.param(lambda a: a - ARRAY, id="tensor-array", marks=pytest.mark.task_1_1),
    pytest.param(lambda a: 3.0 * a, id="number*tensor", marks=pytest.mark.task_1_2),
    pytest.param(lambda a: a * 3.0, id="tensor*number", marks=pytest.mark.task_1_2),
    pytest.param(lambda a: ARRAY * a, id="array*tensor", marks=pytest.mark.task_1_2),
    pytest.param(lambda a: a * ARRAY, id="tensor*array", marks=pytest.mark.task_1_2),
    pytest.param(lambda a: a / 4.0, id="tensor/number", marks=pytest.mark.task_1_2),
    pytest.param(lambda a: 1.5 / a, id="number/tensor", marks=pytest.mark.task_1_2),
    pytest.param(lambda a: ARRAY / a, id="array/tensor", marks=pytest.mark.task_1_2),
    pytest.param(lambda a: a / ARRAY, id="tensor/array", marks=pytest.mark.task_1_2),
]


@pytest.mark.parametrize("form", NUMBER_AND_ARRAY_FORMS)
def test_operators_with_numbers_and_arrays(rng, form):
    a = away_from_zero(rng, (3, 4))
    out = form(a)
    np.testing.assert_allclose(out.data, form(a.data))
    assert gradcheck_op(form, a)
    assert gradient_for(a, out, np.ones(out.shape)).shape in (out.shape, a.shape)


@pytest.mark.parametrize("exponent", [2, 3, -1, 0.5, -1.5, 1.7])
def test_pow_number_exponent(rng, exponent):
    a = leaf(rng, (3, 4), low=0.5, high=2.0)
    assert gradcheck_op(lambda a: a ** exponent, a)
    np.testing.assert_allclose((a ** exponent).data, a.data ** exponent)


def test_pow_integer_exponent_of_negative_base(rng):
    assert gradcheck_op(lambda a: a ** 3, leaf(rng, (5,), low=-2.0, high=-0.5))


def test_pow_is_flat_where_the_formulas_give_nan():
    # a ** 0 = 1 for every a, and 0 ** b = 0 for every b > 0: both derivatives are 0 there,
    # though p * a ** (p - 1) and z * log(a) would be 0 * inf
    a = Tensor([0.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(gradient_for(a, a ** 0, np.ones(2)), [0.0, 0.0])
    base, exponent = Tensor([0.0, 0.0], requires_grad=True), Tensor([0.0, 2.0], requires_grad=True)
    out = base ** exponent
    np.testing.assert_array_equal(gradient_for(base, out, np.ones(2)), [0.0, 0.0])
    np.testing.assert_array_equal(gradient_for(exponent, out, np.ones(2)), [0.0, 0.0])


@pytest.mark.parametrize("base", [2.0, 0.5, np.e])
def test_number_to_the_tensor(rng, base):
    x = leaf(rng, (3, 4))
    assert gradcheck_op(lambda x: base ** x, x)
    np.testing.assert_allclose((base ** x).data, base ** x.data)


@pytest.mark.parametrize("shape_a, shape_b", BROADCAST_PAIRS)
def test_tensor_to_the_tensor(rng, shape_a, shape_b):
    a, b = leaf(rng, shape_a, low=0.5, high=2.0), leaf(rng, shape_b)
    assert gradcheck_op(lambda a, b: a ** b, a, b)
    np.testing.assert_allclose((a ** b).data, a.data ** b.data)


UNARY = {
    "exp": (lambda t: t.exp(), np.exp, None),
    "log": (lambda t: t.log(), np.log, (0.2, 3.0)),
    "tanh": (lambda t: t.tanh(), np.tanh, None),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), None),
    "sqrt": (lambda t: t.sqrt(), np.sqrt, (0.2, 3.0)),
}


@pytest.mark.task_1_3
@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_unary(rng, name, shape):
    method, reference, domain = UNARY[name]
    x = leaf(rng, shape) if domain is None else leaf(rng, shape, *domain)
    np.testing.assert_allclose(method(x).data, reference(x.data))
    assert gradcheck_op(method, x)
    assert gradient_for(x, method(x), np.ones(shape)).shape == shape


@pytest.mark.task_1_3
@pytest.mark.parametrize("name", ["relu", "abs"])
def test_relu_and_abs_away_from_zero(rng, name):
    x = away_from_zero(rng, (3, 4))
    assert gradcheck_op(lambda t: getattr(t, name)(), x)
    reference = np.maximum(x.data, 0) if name == "relu" else np.abs(x.data)
    np.testing.assert_array_equal(getattr(x, name)().data, reference)


@pytest.mark.task_1_3
@pytest.mark.parametrize("name", ["relu", "abs"])
def test_relu_and_abs_gradient_at_zero_is_zero(name):
    x = Tensor([0.0], requires_grad=True)
    np.testing.assert_array_equal(gradient_for(x, getattr(x, name)(), [1.0]), [0.0])


@pytest.mark.task_1_3
def test_sigmoid_large_inputs_do_not_overflow():
    x = Tensor([-1000.0, -40.0, 0.0, 40.0, 1000.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would be a RuntimeWarning
        y = x.sigmoid()
        grad = gradient_for(x, y, np.ones(5))
    np.testing.assert_allclose(y.data, [0.0, np.exp(-40.0), 0.5, 1.0, 1.0], rtol=1e-12)
    # sigmoid(40) rounds to 1.0, so y (1 - y) is 0 there, as in PyTorch: an error of 4e-18
    np.testing.assert_allclose(grad, [0.0, np.exp(-40.0), 0.25, np.exp(-40.0), 0.0],
                               atol=1e-15)
    assert gradcheck_op(lambda t: t.sigmoid(),
                        Tensor([-30.0, -8.0, 8.0, 30.0], requires_grad=True))


@pytest.mark.task_1_3
def test_tanh_large_inputs_are_finite():
    x = Tensor([-500.0, 500.0], requires_grad=True)
    np.testing.assert_array_equal(gradient_for(x, x.tanh(), np.ones(2)), [0.0, 0.0])


@pytest.mark.parametrize("shape_a, shape_b", BROADCAST_PAIRS)
def test_maximum_broadcast(rng, shape_a, shape_b):
    a, b = away_from_zero(rng, shape_a), away_from_zero(rng, shape_b)
    b.data = b.data + 0.01  # |a| and |b| may coincide; a shift keeps entries apart
    assert gradcheck_op(maximum, a, b)
    np.testing.assert_array_equal(maximum(a, b).data, np.maximum(a.data, b.data))


def test_maximum_ties_share_the_gradient_in_half():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([2.0, 2.0, 2.0], requires_grad=True)
    out = maximum(a, b)
    np.testing.assert_array_equal(gradient_for(a, out, np.ones(3)), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(gradient_for(b, out, np.ones(3)), [1.0, 0.5, 0.0])


def test_maximum_with_a_number():
    x = Tensor([-1.0, 3.0], requires_grad=True)
    y = maximum(0.0, x)
    np.testing.assert_array_equal(y.data, [0.0, 3.0])
    np.testing.assert_array_equal(gradient_for(x, y, np.ones(2)), [0.0, 1.0])


@pytest.mark.parametrize("as_tensor", [False, True], ids=["numpy-cond", "tensor-cond"])
def test_where_broadcast(rng, as_tensor):
    cond = rng.standard_normal((3, 1)) > 0
    cond[0], cond[1] = True, False  # both branches are taken
    a, b = leaf(rng, (3, 4)), leaf(rng, (4,))
    c = Tensor(cond) if as_tensor else cond
    assert gradcheck_op(lambda a, b: where(c, a, b), a, b)
    np.testing.assert_array_equal(where(c, a, b).data, np.where(cond, a.data, b.data))


def test_where_with_numbers():
    x = Tensor([-2.0, 3.0, -1.0], requires_grad=True)
    number_if_not = where(x.data > 0, x, 0.5)
    number_if = where(x.data > 0, 1.0, x)
    np.testing.assert_array_equal(number_if_not.data, [0.5, 3.0, 0.5])
    np.testing.assert_array_equal(number_if.data, [-2.0, 1.0, -1.0])
    g = np.array([2.0, 3.0, 4.0])
    np.testing.assert_array_equal(gradient_for(x, number_if_not, g), [0.0, 3.0, 0.0])
    np.testing.assert_array_equal(gradient_for(x, number_if, g), [2.0, 0.0, 4.0])
    np.testing.assert_array_equal(where(np.array([True, False]), 1.0, 2.0).data, [1.0, 2.0])


def test_broadcast_error_names_op_and_shapes():
    a, b = Tensor(np.ones((3, 4))), Tensor(np.ones(5))
    with pytest.raises(ValueError, match=re.escape("add: cannot broadcast (3, 4) with (5,)")):
        a + b
    with pytest.raises(ValueError, match=re.escape("mul: cannot broadcast (5,) with (3, 4)")):
        b * a
    with pytest.raises(ValueError, match=re.escape("maximum: cannot broadcast (3, 4) with (5,)")):
        maximum(a, b)


def test_where_broadcast_error():
    with pytest.raises(ValueError, match=re.escape("where: cannot broadcast cond (2,) with "
                                                   "(3,) with ()")):
        where(np.array([True, False]), Tensor(np.ones(3)), 0.0)


def test_sign_has_zero_gradient_and_gives_zero_for_nan_as_torch():
    x = Tensor([-2.0, 0.0, 3.0, np.nan], requires_grad=True)
    y = x.sign()
    np.testing.assert_array_equal(y.data, [-1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(gradient_for(x, y, np.ones(4)), np.zeros(4))
    assert Tensor(np.ones(2, dtype=np.float32)).sign().dtype == np.float32


def test_clamp_gradient_is_one_inside_and_at_the_bounds_zero_outside():
    x = Tensor([-2.0, -1.0, 0.0, 1.0, 2.0, np.nan], requires_grad=True)
    y = x.clamp(-1.0, 1.0)
    np.testing.assert_array_equal(y.data, [-1.0, -1.0, 0.0, 1.0, 1.0, np.nan])
    np.testing.assert_array_equal(gradient_for(x, y, np.ones(6)), [0.0, 1.0, 1.0, 1.0, 0.0, 0.0])


def test_clamp_with_one_bound_and_clip(rng):
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    np.testing.assert_array_equal(x.clamp(min=0.1).data, np.maximum(x.data, 0.1))
    np.testing.assert_array_equal(x.clip(max=0.1).data, np.minimum(x.data, 0.1))
    assert x.clip(-0.2, 0.3).op == "clamp"
    assert gradcheck_op(lambda t: t.clamp(max=0.3), x)


def test_clamp_with_min_above_max_gives_max_everywhere_with_zero_gradient():
    x = Tensor([-3.0, 0.0, 3.0], requires_grad=True)
    y = x.clamp(1.0, -1.0)
    np.testing.assert_array_equal(y.data, [-1.0, -1.0, -1.0])
    np.testing.assert_array_equal(gradient_for(x, y, np.ones(3)), [0.0, 0.0, 0.0])


def test_clamp_keeps_float32_with_numpy_scalar_bounds():
    out = Tensor(np.ones(3, dtype=np.float32)).clamp(np.float64(0.0), np.float64(0.5))
    assert out.dtype == np.float32


def test_clamp_errors():
    x = Tensor([1.0])
    with pytest.raises(ValueError, match="clamp: at least one of min and max must be given"):
        x.clamp()
    with pytest.raises(TypeError, match="clamp: min must be a number or None, got Tensor; for a "
                                        "tensor bound use maximum"):
        x.clamp(Tensor([0.0]))
    with pytest.raises(TypeError, match="clamp: max must be a number or None, got str"):
        x.clip(max="1")
