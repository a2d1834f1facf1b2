"""ops/activation.py: elu, softplus, gelu and hardtanh.

Values and gradients against PyTorch and finite differences are rows of tests/op_table.py;
here: hand-derived values at the points where the formulas switch, the arguments' errors,
large inputs, and dtypes.
"""
import math

import numpy as np
import pytest

from tinygrad_res import Tensor, gradcheck

CALLS = {  # name -> (a call with non-default arguments, the same through torch.nn.functional)
    "elu": (lambda x: x.elu(0.5), lambda F, x: F.elu(x, 0.5)),
    "softplus": (lambda x: x.softplus(beta=3.0, threshold=2.0),
                 lambda F, x: F.softplus(x, beta=3.0, threshold=2.0)),
    "gelu": (lambda x: x.gelu(), lambda F, x: F.gelu(x)),
    "gelu tanh": (lambda x: x.gelu(approximate="tanh"),
                  lambda F, x: F.gelu(x, approximate="tanh")),
    "hardtanh": (lambda x: x.hardtanh(-0.5, 2.0), lambda F, x: F.hardtanh(x, -0.5, 2.0)),
}


def gradient(fn, values, dtype=np.float64):
    x = Tensor(np.array(values, dtype=dtype), requires_grad=True)
    out = fn(x)
    out.backward(np.ones(out.shape, dtype=dtype))
    return out.data, x.grad


def test_elu_switches_at_zero_with_slope_alpha():
    out, grad = gradient(lambda x: x.elu(2.0), [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(out, [2.0 * (math.exp(-1.0) - 1.0), 0.0, 1.0])
    np.testing.assert_allclose(grad, [2.0 * math.exp(-1.0), 2.0, 1.0])  # alpha at 0, as torch


def test_elu_is_exact_near_zero():
    # e^a - 1 computed as expm1: no cancellation for tiny a
    out, _ = gradient(lambda x: x.elu(), [-1e-12])
    np.testing.assert_allclose(out, [-1e-12], rtol=1e-9)


def test_softplus_is_linear_above_the_threshold():
    out, grad = gradient(lambda x: x.softplus(beta=2.0, threshold=4.0), [1.0, 2.0, 2.5])
    np.testing.assert_allclose(out, [math.log1p(math.exp(2.0)) / 2.0,
                                     math.log1p(math.exp(4.0)) / 2.0, 2.5])
    sigmoid = 1 / (1 + math.exp(-2.0)), 1 / (1 + math.exp(-4.0))
    np.testing.assert_allclose(grad, [*sigmoid, 1.0])  # beta a = 4 is not above 4


def test_gelu_at_zero_and_far_out():
    out, grad = gradient(lambda x: x.gelu(), [0.0, -40.0, 40.0])
    np.testing.assert_allclose(out, [0.0, 0.0, 40.0])
    np.testing.assert_allclose(grad, [0.5, 0.0, 1.0])
    out, grad = gradient(lambda x: x.gelu("tanh"), [0.0, -40.0, 40.0])
    np.testing.assert_allclose(out, [0.0, 0.0, 40.0])
    np.testing.assert_allclose(grad, [0.5, 0.0, 1.0])


def test_gelu_exact_against_the_normal_distribution(rng):
    a = rng.standard_normal(20)
    phi = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in a])
    np.testing.assert_allclose(Tensor(a).gelu().data, a * phi, rtol=1e-14)
    assert gradcheck(lambda t: t.gelu(), Tensor(a, requires_grad=True))


def test_hardtanh_has_zero_gradient_at_its_bounds():
    out, grad = gradient(lambda x: x.hardtanh(-1.0, 2.0), [-3.0, -1.0, 0.5, 2.0, 3.0])
    np.testing.assert_array_equal(out, [-1.0, -1.0, 0.5, 2.0, 2.0])
    np.testing.assert_array_equal(grad, [0.0, 0.0, 1.0, 0.0, 0.0])


@pytest.mark.parametrize("name", list(CALLS))
def test_large_inputs_give_finite_values_without_warnings(torch, name):
    ours, theirs = CALLS[name]
    values = np.array([-1e4, -800.0, -30.0, 30.0, 800.0, 1e4])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # what numpy warns about
        out, grad = gradient(ours, values)
    x = torch.tensor(values, requires_grad=True)
    expected = theirs(torch.nn.functional, x)
    expected.sum().backward()
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", list(CALLS))
def test_float32_stays_float32_and_matches_torch(torch, rng, name):
    ours, theirs = CALLS[name]
    values = rng.standard_normal((3, 4)).astype(np.float32)
    out, grad = gradient(ours, values, dtype=np.float32)
    assert out.dtype == np.float32 and grad.dtype == np.float32
    x = torch.tensor(values, requires_grad=True)
    expected = theirs(torch.nn.functional, x)
    expected.sum().backward()
    np.testing.assert_allclose(out, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad, x.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_numpy_scalar_arguments_do_not_make_float32_float64():
    x = Tensor(np.ones(3, dtype=np.float32))
    for out in [x.elu(np.float64(0.5)), x.softplus(np.float64(2.0), np.float64(5.0)),
                x.hardtanh(np.float64(-0.5), np.float64(0.5))]:
        assert out.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda x: x.elu("1"), "elu: alpha must be a number, got '1'"),
    (lambda x: x.softplus(beta=None), "softplus: beta must be a number, got None"),
    (lambda x: x.softplus(threshold="20"), "softplus: threshold must be a number, got '20'"),
    (lambda x: x.hardtanh(max_val=[1]), "hardtanh: max_val must be a number, got \\[1\\]"),
])
def test_arguments_that_are_not_numbers_are_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call(Tensor([1.0]))


def test_argument_values_pytorch_refuses():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'erf'"):
        Tensor([1.0]).gelu("erf")
    with pytest.raises(ValueError, match="hardtanh: min_val \\(2.0\\) cannot be greater than "
                                         "max_val \\(1.0\\)"):
        Tensor([1.0]).hardtanh(2.0, 1.0)
