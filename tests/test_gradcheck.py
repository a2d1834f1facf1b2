"""gradcheck must pass correct ops and catch a wrong one; numerical_grad."""
import re

import numpy as np
import pytest

from tinygrad_res import Function, GradcheckError, Tensor, gradcheck, numerical_grad


class WrongSquare(Function):
    """z = a^2   dz/da = a (deliberately wrong: the factor 2 is missing)"""
    name = "wrong_square"
    rule = "multiply the gradient by a (and forget the 2)"

    def forward(self, a):
        self.save_for_backward(a)
        return a * a

    def backward(self, grad_output):
        (a,) = self.saved
        return grad_output * a


def test_gradcheck_passes_correct_ops(rng):
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    assert gradcheck(lambda x, w: (x @ w).tanh(), x, w) is True
    assert gradcheck(lambda x, w: (x @ w).tanh(), x, w, fast=True) is True


def test_gradcheck_names_input_entry_and_both_values():
    x = Tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0, 5.0], requires_grad=True, name="y")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: x * 2.0 + WrongSquare.apply(y), x, y)
    message = str(info.value)
    # x is right; y is wrong everywhere, worst where |analytic - numeric| = |y - 2y| is largest
    assert "input 1 ('y') of shape (3,)" in message
    assert "worst at entry (2,) (output entry (2,))" in message
    values = re.search(r"analytic (\S+), numeric (\S+)$", message)
    assert float(values[1]) == pytest.approx(5.0)
    assert float(values[2]) == pytest.approx(10.0, rel=1e-6)


def test_fast_gradcheck_catches_a_wrong_backward(rng):
    x = Tensor(rng.uniform(0.5, 2.0, (20, 30)), requires_grad=True)
    with pytest.raises(GradcheckError, match=re.escape(
            "gradcheck (fast): input 0 of shape (20, 30): v^T J u is")):
        gradcheck(lambda x: WrongSquare.apply(x), x, fast=True)


def test_gradcheck_restores_inputs(rng):
    data = rng.standard_normal(4)
    x = Tensor(data, requires_grad=True)
    gradcheck(lambda x: x.exp(), x)
    np.testing.assert_array_equal(x.data, data)
    assert x.grad is None


def test_numerical_grad_matches_hand_derived(rng):
    # f = sum(x y + x^3): df/dx = y + 3 x^2, df/dy = x
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    y = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    gx, gy = numerical_grad(lambda x, y: (x * y + x ** 3).sum(), x, y)
    np.testing.assert_allclose(gx, y.data + 3 * x.data ** 2, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gy, x.data, rtol=1e-6, atol=1e-8)


def test_numerical_grad_with_grad_output_and_constants():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([5.0, 7.0])
    gx, gc = numerical_grad(lambda x, c: x * x * c, x, c, grad_output=np.array([1.0, -1.0]))
    np.testing.assert_allclose(gx, [10.0, -28.0], rtol=1e-6)
    assert gc is None


def test_float32_input_is_an_error():
    x = Tensor([1.0], requires_grad=True, dtype=np.float32)
    for check in (gradcheck, numerical_grad):
        with pytest.raises(TypeError, match=f"{check.__name__}: input 0 is float32; "
                                            "finite differences need float64"):
            check(lambda t: t * 2.0, x)


def test_gradcheck_input_errors():
    with pytest.raises(ValueError, match="gradcheck: no input has requires_grad=True"):
        gradcheck(lambda t: t * 2.0, Tensor([1.0]))
    with pytest.raises(TypeError, match="gradcheck: input 0 is a list, expected a Tensor"):
        gradcheck(lambda t: t, [1.0])
