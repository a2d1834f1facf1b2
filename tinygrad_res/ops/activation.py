"""Activation functions beyond relu / tanh / sigmoid, each with its local derivative beside it,
with the arguments, defaults and boundary rules of torch.nn.functional.

silu (a * sigmoid(a)) and relu6 (hardtanh(a, 0, 6)) are formulas of these and live in
composite.py; leaky_relu is in unary.py.
"""
import math
import numbers

import numpy as np

from ..function import Function

# numpy has no erf; math.erf entry by entry is exact, and about 70 times slower than np.tanh
_erf = np.frompyfunc(math.erf, 1, 1)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_CUBIC = 0.044715  # the tanh approximation's coefficient, as in PyTorch


def numbers_of(op: str, **arguments) -> tuple:
    """The arguments as Python floats (a numpy float64 scalar would make a float32 tensor's
    output float64); TypeError unless each is a real number (a bool counts, as in PyTorch)."""
    for name, value in arguments.items():
        if not isinstance(value, numbers.Real):
            raise TypeError(f"{op}: {name} must be a number, got {value!r}")
    return tuple(float(value) for value in arguments.values())


class ELU(Function):
    """z = a where a > 0, else alpha (e^a - 1)   dz/da = 1 where a > 0, else alpha e^a

    As torch.nn.functional.elu(a, alpha=1.0); at a = 0 the derivative is alpha, as in PyTorch.
    """
    name = "elu"
    rule = "pass grad where input > 0, grad times alpha e^a elsewhere"

    def forward(self, a, alpha=1.0):
        (self.alpha,) = numbers_of(self.name, alpha=alpha)
        self.save_for_backward(a)
        # expm1 keeps e^a - 1 exact near 0; the minimum keeps exp from overflowing where a > 0
        return np.where(a > 0, a, self.alpha * np.expm1(np.minimum(a, 0)))

    def backward(self, grad_output):
        (a,) = self.saved
        return np.where(a > 0, grad_output, grad_output * self.alpha * np.exp(np.minimum(a, 0)))


class Softplus(Function):
    """z = log(1 + e^(beta a)) / beta, and a where beta a > threshold
    dz/da = sigmoid(beta a), and 1 where beta a > threshold

    As torch.nn.functional.softplus(a, beta=1.0, threshold=20.0): above the threshold the
    function is a itself (they differ by less than e^-20) and so is its derivative.
    """
    name = "softplus"
    rule = "multiply the gradient by sigmoid(beta a) (by 1 above the threshold)"

    def forward(self, a, beta=1.0, threshold=20.0):
        beta, threshold = numbers_of(self.name, beta=beta, threshold=threshold)
        scaled = a * beta
        self.linear = scaled > threshold
        self.save_for_backward(scaled)
        with np.errstate(divide="ignore", invalid="ignore"):  # beta = 0 gives inf, as PyTorch
            return np.where(self.linear, a, np.logaddexp(0, scaled) / beta)

    def backward(self, grad_output):
        (scaled,) = self.saved
        e = np.exp(-np.abs(scaled))  # sigmoid(scaled) without overflow, as in Sigmoid
        sigmoid = np.where(scaled >= 0, 1 / (1 + e), e / (1 + e))
        return np.where(self.linear, grad_output, grad_output * sigmoid)


class GELU(Function):
    """z = a Phi(a)   dz/da = Phi(a) + a phi(a)

    Phi is the standard normal distribution function, phi its density, as
    torch.nn.functional.gelu(a, approximate='none'). approximate='tanh' uses
    Phi(a) ~ (1 + tanh(k (a + 0.044715 a^3))) / 2 with k = sqrt(2 / pi), and its own derivative.
    """
    name = "gelu"
    rule = "multiply the gradient by Phi(a) + a phi(a) (or the tanh form's derivative)"

    def forward(self, a, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate
        self.save_for_backward(a)
        if approximate == "tanh":
            self.t = np.tanh(SQRT_2_OVER_PI * (a + GELU_CUBIC * a * a * a))
            return 0.5 * a * (1 + self.t)
        erf = np.asarray(_erf(a / math.sqrt(2.0)), dtype=a.dtype)  # frompyfunc gives objects
        self.cdf = 0.5 * (1 + erf)
        return a * self.cdf

    def backward(self, grad_output):
        (a,) = self.saved
        if self.approximate == "tanh":
            inner = SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * a * a)
            return grad_output * (0.5 * (1 + self.t) + 0.5 * a * (1 - self.t ** 2) * inner)
        density = np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
        return grad_output * (self.cdf + a * density)


class Hardtanh(Function):
    """z = min(max(a, min_val), max_val)   dz/da = 1 where min_val < a < max_val, else 0

    As torch.nn.functional.hardtanh(a, min_val=-1.0, max_val=1.0): at a = min_val or max_val
    the derivative is 0 (clamp's is 1 there: PyTorch differs between the two, and so do we).
    """
    name = "hardtanh"
    rule = "pass grad strictly between min_val and max_val, zero elsewhere"

    def forward(self, a, min_val=-1.0, max_val=1.0):
        min_val, max_val = numbers_of(self.name, min_val=min_val, max_val=max_val)
        if min_val > max_val:
            raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                             f"({max_val})")
        self.save_for_backward(a)
        self.min_val, self.max_val = min_val, max_val
        return np.clip(a, min_val, max_val)

    def backward(self, grad_output):
        (a,) = self.saved
        return grad_output * ((a > self.min_val) & (a < self.max_val))
