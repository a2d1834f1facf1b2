"""Binary arithmetic. Broadcasting follows numpy; Function.apply reduces grads to input shapes."""
import numpy as np

from ..function import Function


class Add(Function):
    """z = a + b   dz/da = 1   dz/db = 1"""
    name = "add"
    rule = "pass the gradient unchanged to both inputs (dz/da = dz/db = 1)"

    def forward(self, a, b):
        return a + b

    def backward(self, grad_output):
        # BEGIN TASK 1.1
        return grad_output, grad_output
        # END TASK 1.1


class Sub(Function):
    """z = a - b   dz/da = 1   dz/db = -1"""
    name = "sub"
    rule = "pass the gradient to a, and its negative to b"

    def forward(self, a, b):
        return a - b

    def backward(self, grad_output):
        # BEGIN TASK 1.1
        return grad_output, -grad_output
        # END TASK 1.1


class Mul(Function):
    """z = a * b   dz/da = b   dz/db = a"""
    name = "mul"
    rule = "each input gets the gradient times the other input"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a * b

    def backward(self, grad_output):
        # BEGIN TASK 1.2
        a, b = self.saved
        return grad_output * b, grad_output * a
        # END TASK 1.2


class Div(Function):
    """z = a / b   dz/da = 1 / b   dz/db = -a / b^2"""
    name = "div"
    rule = "a gets grad / b; b gets -grad * a / b^2"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return a / b

    def backward(self, grad_output):
        # BEGIN TASK 1.2
        a, b = self.saved
        grad_a = grad_output / b
        return grad_a, -grad_a * a / b
        # END TASK 1.2


class Neg(Function):
    """z = -a   dz/da = -1"""
    name = "neg"
    rule = "flip the sign of the gradient"

    def forward(self, a):
        if a.dtype == bool:  # numpy refuses too, with a message that names no op
            raise TypeError("neg: a bool tensor has no negative, as in PyTorch; use ~mask for "
                            "its logical not")
        return -a

    def backward(self, grad_output):
        # BEGIN TASK 1.1
        return -grad_output
        # END TASK 1.1


class PowScalar(Function):
    """z = a ** p (p a number)   dz/da = p * a ** (p - 1)"""
    name = "pow"
    rule = "multiply the gradient by p * a^(p-1)"

    def forward(self, a, exponent):
        if isinstance(exponent, np.generic):  # a numpy scalar would make float32 float64
            exponent = exponent.item()
        self.exponent = exponent
        self.save_for_backward(a)
        return a ** exponent

    def backward(self, grad_output):
        (a,) = self.saved
        p = self.exponent
        if p == 0:  # a ** 0 = 1 is flat; p * a ** -1 would be 0 * inf = NaN at a = 0
            return np.zeros_like(grad_output)
        if p == 2:
            return grad_output * 2 * a
        return grad_output * p * a ** (p - 1)


class Pow(Function):
    """z = a ** b (both tensors)   dz/da = b * a ** (b - 1)   dz/db = z * log(a)

    `2 ** x` lands here with a constant base. log(a) is computed only when b needs a gradient,
    so a negative base with a constant exponent does not produce NaN. Where b == 0, z = 1 is
    flat in a; where a == 0 and b >= 0, z is flat in b: the formulas give 0 * inf = NaN
    there, so those entries get 0, as in PyTorch.
    """
    name = "pow"
    rule = "a gets grad * p * a^(p-1); a tensor exponent p gets grad * z * ln(a)"

    def forward(self, a, b):
        out = a ** b
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad_output):
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        with np.errstate(divide="ignore", invalid="ignore"):  # in the entries replaced by 0
            if need_a:
                grad_a = np.where(b == 0, 0.0, grad_output * b * a ** (b - 1))
            if need_b:
                grad_b = np.where((a == 0) & (b >= 0), 0.0, grad_output * out * np.log(a))
        return grad_a, grad_b
