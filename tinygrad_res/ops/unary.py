"""Elementwise functions of one tensor, each with its local derivative beside it."""
import numbers

import numpy as np

from ..function import Function


class Exp(Function):
    """z = e^a   dz/da = e^a = z"""
    name = "exp"
    rule = "multiply the gradient by e^a (the output itself)"

    def forward(self, a):
        out = np.exp(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 1.3
        (out,) = self.saved
        return grad_output * out
        # END TASK 1.3


class Log(Function):
    """z = ln a   dz/da = 1 / a"""
    name = "log"
    rule = "divide the gradient by the input a"

    def forward(self, a):
        self.save_for_backward(a)
        return np.log(a)

    def backward(self, grad_output):
        # BEGIN TASK 1.3
        (a,) = self.saved
        return grad_output / a
        # END TASK 1.3


class ReLU(Function):
    """z = max(a, 0)   dz/da = 1 where a > 0, else 0"""
    name = "relu"
    rule = "pass grad where input > 0, zero elsewhere"

    def forward(self, a):
        out = np.maximum(a, 0.0)
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 1.3
        (out,) = self.saved
        return grad_output * (out > 0)
        # END TASK 1.3


class LeakyReLU(Function):
    """z = a where a > 0, else slope * a   dz/da = 1 where a > 0, else slope

    slope is `negative_slope` (0.01 by default), as torch.nn.functional.leaky_relu; at a = 0
    the derivative is the slope, as in PyTorch.
    """
    name = "leaky_relu"
    rule = "pass grad where input > 0, grad times the slope elsewhere"

    def forward(self, a, negative_slope=0.01):
        if isinstance(negative_slope, np.generic):  # a numpy scalar would make float32 float64
            negative_slope = negative_slope.item()
        self.negative_slope = negative_slope
        self.save_for_backward(a)
        return np.where(a > 0, a, a * negative_slope)

    def backward(self, grad_output):
        (a,) = self.saved
        return np.where(a > 0, grad_output, grad_output * self.negative_slope)


class Tanh(Function):
    """z = tanh a   dz/da = 1 - z^2"""
    name = "tanh"
    rule = "multiply the gradient by 1 - z^2"

    def forward(self, a):
        out = np.tanh(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 1.3
        (out,) = self.saved
        return grad_output * (1 - out * out)
        # END TASK 1.3


class Sigmoid(Function):
    """z = 1 / (1 + e^-a)   dz/da = z (1 - z)"""
    name = "sigmoid"
    rule = "multiply the gradient by z * (1 - z)"

    def forward(self, a):
        # exp of a non-positive number only: no overflow for large |a|
        e = np.exp(-np.abs(a))
        out = np.where(a >= 0, 1 / (1 + e), e / (1 + e))
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 1.3
        (out,) = self.saved
        return grad_output * out * (1 - out)
        # END TASK 1.3


class Sqrt(Function):
    """z = sqrt(a)   dz/da = 1 / (2 z)"""
    name = "sqrt"
    rule = "divide the gradient by 2 z"

    def forward(self, a):
        out = np.sqrt(a)
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 1.3
        (out,) = self.saved
        return grad_output / (2 * out)
        # END TASK 1.3


class Abs(Function):
    """z = |a|   dz/da = sign(a)  (0 at a = 0, as in PyTorch)"""
    name = "abs"
    rule = "multiply the gradient by sign(a)"

    def forward(self, a):
        self.save_for_backward(a)
        return np.abs(a)

    def backward(self, grad_output):
        # BEGIN TASK 1.3
        (a,) = self.saved
        return grad_output * np.sign(a)
        # END TASK 1.3


class Sign(Function):
    """z = sign(a): -1, 0 or 1   dz/da = 0 (flat between the jumps, as in PyTorch)

    sign(NaN) is 0, as torch.sign gives (numpy's np.sign gives NaN).
    """
    name = "sign"
    rule = "no gradient flows through sign: it is zero everywhere"

    def forward(self, a):
        return np.where(np.isnan(a), 0.0, np.sign(a))

    def backward(self, grad_output):
        return np.zeros_like(grad_output)


def _bound(name: str, value):
    """A clamp bound as a Python float (or None): a numpy scalar would promote float32."""
    if value is None:
        return None
    if not isinstance(value, numbers.Real):
        raise TypeError(f"clamp: {name} must be a number or None, got {type(value).__name__}; "
                        f"for a tensor bound use maximum(a, low) or where()")
    return float(value)


class Clamp(Function):
    """z = min(max(a, low), high)   dz/da = 1 where low <= a <= high, else 0

    As torch.clamp(a, min, max): either bound may be None; at a bound the derivative is 1,
    as in PyTorch (hardtanh's is 0 there). With low > high every entry is high, gradient 0.
    """
    name = "clamp"
    rule = "pass the gradient where low <= a <= high, zero where a was clamped"

    def forward(self, a, low=None, high=None):
        self.low, self.high = _bound("min", low), _bound("max", high)
        if self.low is None and self.high is None:
            raise ValueError("clamp: at least one of min and max must be given (not None)")
        self.save_for_backward(a)
        return np.clip(a, self.low, self.high)

    def backward(self, grad_output):
        (a,) = self.saved
        inside = np.ones(a.shape, dtype=bool)
        if self.low is not None:
            inside &= a >= self.low
        if self.high is not None:
            inside &= a <= self.high
        return grad_output * inside
