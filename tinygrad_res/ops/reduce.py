"""Reductions over axes, and softmax / log-softmax along one axis."""
import numpy as np

from ..function import Function


def normalize_axes(op: str, axis, ndim: int) -> tuple:
    """axis (None, int or tuple, negatives allowed) -> sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    result = []
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dims")
        result.append(int(a) % max(ndim, 1))
    if len(set(result)) != len(result):
        raise ValueError(f"{op}: axis {axis} repeats an axis")
    return tuple(sorted(result))


def single_axis(op: str, axis, ndim: int) -> int:
    """The one axis softmax-like ops work along, checked and made non-negative."""
    if not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{op}: axis must be a single int, got {axis!r}")
    return normalize_axes(op, axis, ndim)[0]


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
        self.axes = normalize_axes(self.name, axis, a.ndim)
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
        self.axes = normalize_axes(self.name, axis, a.ndim)
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

    def forward(self, a, axis=None, keepdims=False):
        self.axes = normalize_axes(self.name, axis, a.ndim)
        if a.size == 0:
            raise ValueError(f"{self.name}: cannot take the max of an empty tensor {a.shape}")
        out = a.max(axis=self.axes, keepdims=True)
        self.save_for_backward(a == out)
        self.keepdims = keepdims
        return out if keepdims else np.squeeze(out, axis=self.axes)

    def backward(self, grad_output):
        # BEGIN TASK 2.3
        (winners,) = self.saved
        share = winners / winners.sum(axis=self.axes, keepdims=True)
        if not self.keepdims:
            grad_output = np.expand_dims(grad_output, self.axes)
        return grad_output * share
        # END TASK 2.3


class Softmax(Function):
    """z = e^a / sum(e^a)   dz/da applied to g: z * (g - sum(g * z))"""
    name = "softmax"
    rule = "grad_in = z * (grad - sum(grad * z))"

    def forward(self, a, axis=-1):
        self.axis = single_axis(self.name, axis, a.ndim)
        e = np.exp(a - a.max(axis=self.axis, keepdims=True))
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
        shifted = a - a.max(axis=self.axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.save_for_backward(out)
        return out

    def backward(self, grad_output):
        # BEGIN TASK 2.4
        (out,) = self.saved
        return grad_output - np.exp(out) * grad_output.sum(axis=self.axis, keepdims=True)
        # END TASK 2.4
