"""Reductions over dims (sum, mean, max, min, var, std), softmax / log-softmax along one dim,
and argmax / argmin (positions, no gradient)."""
import numbers
import warnings

import numpy as np

from ..dims import dim_index, reduced_dims
from ..function import Function


def single_axis(op: str, axis, ndim: int) -> tuple:
    """The one dim softmax-like ops work along, as a tuple of axes for numpy: () for a 0-d
    tensor (softmax of a single number is 1)."""
    dim_index(op, axis, ndim)  # one int, in range
    return reduced_dims(op, axis, ndim)


def expand_to(grad, axes: tuple, keepdims: bool, shape: tuple):
    """Put back the reduced axes of `grad` (size 1) and repeat it along them to the input's
    shape."""
    # BEGIN TASK 2.2
    if not keepdims:
        grad = grad.reshape([1 if i in axes else n for i, n in enumerate(shape)])
    return np.full(shape, grad)  # np.full broadcasts an array fill value, and keeps its dtype
    # END TASK 2.2


class Sum(Function):
    """z = sum of a over axes   dz/da = 1 for every summed entry"""
    name = "sum"
    rule = "copy the gradient to every entry that was summed"

    def forward(self, a, axis=None, keepdims=False):
        self.axes = reduced_dims(self.name, axis, a.ndim, keepdims)
        self.keepdims, self.shape = keepdims, a.shape
        return a.sum(axis=self.axes, keepdims=keepdims)

    def backward(self, grad_output):
        # BEGIN TASK 2.2
        return expand_to(grad_output, self.axes, self.keepdims, self.shape)
        # END TASK 2.2


class Mean(Function):
    """z = mean of a over axes   dz/da = 1 / (number of entries averaged)"""
    name = "mean"
    rule = "copy the gradient to every entry, divided by the number of entries averaged"

    def forward(self, a, axis=None, keepdims=False):
        if a.dtype == bool:  # numpy would average it as 0/1 floats
            raise TypeError("mean: a bool tensor has no mean, as in PyTorch; count with "
                            "mask.sum(), or average (mask * 1.0)")
        self.axes = reduced_dims(self.name, axis, a.ndim, keepdims)
        self.keepdims, self.shape = keepdims, a.shape
        self.count = int(np.prod([a.shape[i] for i in self.axes]))
        return a.mean(axis=self.axes, keepdims=keepdims)

    def backward(self, grad_output):
        # BEGIN TASK 2.2
        return expand_to(grad_output / self.count, self.axes, self.keepdims, self.shape)
        # END TASK 2.2


class Max(Function):
    """z = max of a over axes   dz/da = 1 at the maximum (shared equally between ties), else 0"""
    name = "max"
    rule = "the gradient goes to the largest entry (shared equally between ties)"

    extremum = staticmethod(np.max)  # np.min in Min, which shares this class's code

    def forward(self, a, axis=None, keepdims=False):
        self.axes = reduced_dims(self.name, axis, a.ndim, keepdims)
        empty = [i for i in self.axes if a.shape[i] == 0]
        if empty:
            raise ValueError(f"{self.name}: cannot reduce dim {empty[0]} of size 0 "
                             f"(shape {a.shape}): an empty set has no {self.name}")
        out = self.extremum(a, axis=self.axes, keepdims=True)
        self.save_for_backward(a == out)
        self.keepdims = keepdims
        return out if keepdims else np.squeeze(out, axis=self.axes)

    def backward(self, grad_output):
        # BEGIN TASK 2.3
        (winners,) = self.saved
        # the count in grad_output's dtype: a bool over an int would be float64, and make a
        # float32 gradient float64
        share = winners / winners.sum(axis=self.axes, keepdims=True, dtype=grad_output.dtype)
        if not self.keepdims:
            grad_output = np.expand_dims(grad_output, self.axes)
        return grad_output * share
        # END TASK 2.3


class Min(Max):
    """z = min of a over axes   dz/da = 1 at the minimum (shared equally between ties), else 0

    Max's forward with np.min, and Max's backward: the gradient goes to the entries equal to
    the result. Ties share it, as torch.amin does (torch.min(x, dim) returns indices too and
    gives the whole gradient to the one entry they name).
    """
    name = "min"
    rule = "the gradient goes to the smallest entry (shared equally between ties)"
    extremum = staticmethod(np.min)


class Softmax(Function):
    """z = e^a / sum(e^a)   dz/da applied to g: z * (g - sum(g * z))"""
    name = "softmax"
    rule = "grad_in = z * (grad - sum(grad * z))"

    def forward(self, a, axis=-1):
        self.axis = single_axis(self.name, axis, a.ndim)
        # minus the largest entry: no exp overflows (an empty tensor has none, and needs none)
        e = np.exp(a - a.max(axis=self.axis, keepdims=True) if a.size else a)
        out = e / e.sum(axis=self.axis, keepdims=True)
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 2.4
        (out,) = self.saved
        return out * (grad_output - (grad_output * out).sum(axis=self.axis, keepdims=True))
        # END TASK 2.4


class LogSoftmax(Function):
    """z = a - log(sum(e^a))   dz/da applied to g: g - softmax(a) * sum(g)"""
    name = "log_softmax"
    rule = "grad_in = grad - softmax(a) * sum(grad)"

    def forward(self, a, axis=-1):
        self.axis = single_axis(self.name, axis, a.ndim)
        shifted = a - a.max(axis=self.axis, keepdims=True) if a.size else a
        with np.errstate(divide="ignore"):  # a size-0 dim: log of an empty sum, for no entry
            out = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 2.4
        (out,) = self.saved
        return grad_output - np.exp(out) * grad_output.sum(axis=self.axis, keepdims=True)
        # END TASK 2.4


class Var(Function):
    """z = sum((a - mean(a))^2) / (N - correction)   dz/da = 2 (a - mean(a)) / (N - correction)

    N is the number of entries reduced over. correction=1 (PyTorch's default, Bessel's) gives
    the unbiased estimate, correction=0 the mean squared deviation. As in PyTorch, N -
    correction <= 0 makes the forward divide by zero (inf, or nan where a is constant), with
    a warning, while the backward keeps the formula's N - correction.
    """
    name = "var"
    rule = "grad_in = grad * 2 (a - mean) / (N - correction)"

    def forward(self, a, axis=None, keepdims=False, correction=1):
        self.axes = reduced_dims(self.name, axis, a.ndim, keepdims)
        self.keepdims, self.shape = keepdims, a.shape
        count = int(np.prod([a.shape[i] for i in self.axes]))
        self.dof = count - correction  # degrees of freedom
        if self.dof <= 0:
            warnings.warn(f"{self.name}: N - correction = {count} - {correction} is not positive: "
                          f"the result is inf or nan (as in PyTorch)", RuntimeWarning)
        with np.errstate(divide="ignore", invalid="ignore"):  # the cases just warned about
            centred = a - a.sum(axis=self.axes, keepdims=True) / count
            self.save_for_backward(centred)
            return (centred * centred).sum(axis=self.axes, keepdims=keepdims) / max(0, self.dof)

    def backward(self, grad_output):
        (centred,) = self.saved
        grad = expand_to(grad_output, self.axes, self.keepdims, self.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad * 2 * centred / self.dof


class Std(Var):
    """z = sqrt(var(a))   dz/da = (a - mean(a)) / ((N - correction) z), 0 where z = 0

    Var's forward, then the square root. Where every entry is equal, z = 0 and the formula is
    0 / 0: the gradient there is 0, as in PyTorch (its subgradient of choice).
    """
    name = "std"
    rule = "grad_in = grad * (a - mean) / ((N - correction) z), 0 where z = 0"

    def forward(self, a, axis=None, keepdims=False, correction=1):
        out = np.sqrt(super().forward(a, axis, keepdims, correction))
        (centred,) = self.saved
        self.save_for_backward(centred, out if keepdims else np.expand_dims(out, self.axes))
        return out

    def backward(self, grad_output):
        centred, out = self.saved  # out with the reduced dims kept, of size 1
        grad = expand_to(grad_output, self.axes, self.keepdims, self.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(out == 0, 0.0, grad / out) * centred / self.dof


def var_arguments(op: str, dim, unbiased, correction) -> tuple:
    """(dim, correction) from torch.var's two signatures: var(dim, *, correction=1) and the
    older var(dim, unbiased, keepdim), where unbiased=True is correction=1, False is 0;
    var(True) is var(unbiased=True)."""
    if isinstance(dim, (bool, np.bool_)) and unbiased is None:
        dim, unbiased = None, dim
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{op}: give correction= or unbiased=, not both (correction=1 is "
                            f"unbiased=True)")
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"{op}: unbiased must be True or False, got {unbiased!r}; for other "
                            f"corrections give correction=")
        return dim, int(unbiased)
    if correction is None:
        return dim, 1
    if not isinstance(correction, numbers.Real):
        raise TypeError(f"{op}: correction must be a number, got {correction!r}")
    if isinstance(correction, np.generic):  # a numpy scalar would make float32 float64
        correction = correction.item()
    return dim, correction


def positions(op: str, a: np.ndarray, dim, keepdim: bool) -> np.ndarray:
    """Where argmax / argmin find the extreme entry, as torch.argmax: the first one at ties,
    a position in the flattened array for dim=None; int64 positions, no gradient."""
    if dim is not None:
        dim_index(op, dim, a.ndim)  # one int, in range
    axes = reduced_dims(op, dim, a.ndim, keepdim)
    empty = [i for i in axes if a.shape[i] == 0]
    if empty:
        raise ValueError(f"{op}: cannot reduce dim {empty[0]} of size 0 (shape {a.shape})")
    find = np.argmax if op == "argmax" else np.argmin
    axis = axes[0] if dim is not None and axes else None  # a 0-d array: numpy's axis=None
    return np.asarray(find(a, axis=axis, keepdims=keepdim), dtype=np.int64)
