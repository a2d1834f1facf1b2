"""Ops that choose between inputs entry by entry."""
import numpy as np

from ..function import Function


class Where(Function):
    """z = a where cond else b   dz/da = cond   dz/db = not cond

    cond is a bool array, not differentiated.
    """
    name = "where"
    rule = "a gets the gradient where cond is true, b where it is false"

    def forward(self, a, b, cond):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, grad_output):
        zero = np.zeros((), dtype=grad_output.dtype)
        return np.where(self.cond, grad_output, zero), np.where(self.cond, zero, grad_output)


class Maximum(Function):
    """z = max(a, b) entrywise   dz/da = 1 where a > b, 1/2 where a == b (as PyTorch), else 0
    dz/db = 1 - dz/da
    """
    name = "maximum"
    rule = "the gradient goes to the larger input (half to each at a tie)"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return np.maximum(a, b)

    def backward(self, grad_output):
        a, b = self.saved
        share_a = (a > b) + 0.5 * (a == b)
        return grad_output * share_a, grad_output * (1 - share_a)
