"""2-d convolution on NCHW images by im2col: one matrix product instead of loops over pixels.

Each output pixel sees a (C, kh, kw) patch of the input. `windows` lays all those patches out as a
strided view (no copy); flattening them gives the im2col matrix, one row per output pixel, and the
convolution becomes `cols @ W.reshape(out, -1).T`. Backward runs the same product the other way
and `col2im`, the adjoint of `windows`, adds each patch gradient back onto the pixels it was read
from. The pooling ops (pool.py) reuse both helpers.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..function import Function


def int_pair(op: str, value, what: str, minimum: int) -> tuple:
    """An int or a pair of ints (height, width), each >= minimum, as a 2-tuple."""
    values = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) for v in values):
        raise ValueError(f"{op}: {what} must be an int or a pair of ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{op}: {what} must be >= {minimum}, got {value!r}")
    return int(values[0]), int(values[1])


def check_4d(op: str, x: np.ndarray, what: str = "input") -> None:
    if x.ndim != 4:
        raise ValueError(f"{op}: {what} must be 4-d (N, C, H, W), got shape {x.shape}")


def output_size(op: str, x_shape: tuple, kernel: tuple, stride: tuple, padding=(0, 0)) -> tuple:
    """(OH, OW) = (H + 2 p - k) // s + 1 per axis; the kernel must fit in the padded input."""
    padded = (x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1])
    if kernel[0] > padded[0] or kernel[1] > padded[1]:
        pad_note = f" with padding {padding}" if any(padding) else ""
        raise ValueError(f"{op}: kernel {kernel} is larger than the padded input {padded} "
                         f"(input {x_shape}{pad_note})")
    return tuple((padded[i] - kernel[i]) // stride[i] + 1 for i in (0, 1))


def windows(x: np.ndarray, kernel: tuple, stride: tuple) -> np.ndarray:
    """(N, C, H, W) -> view (N, C, OH, OW, kh, kw): the patch each output pixel sees. No copy.

    >>> windows(np.arange(16.0).reshape(1, 1, 4, 4), (2, 2), (2, 2))[0, 0, 1, 0]
    array([[ 8.,  9.],
           [12., 13.]])
    """
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, ::stride[0], ::stride[1]]


def col2im(cols: np.ndarray, input_shape: tuple, stride: tuple) -> np.ndarray:
    """The adjoint of `windows`: add every patch entry back to the pixel it was read from.

    cols is (N, C, OH, OW, kh, kw). When stride < kernel the patches overlap and a pixel gets
    the sum of all its reads. One step per kernel offset (kh * kw steps), each moving a whole
    (N, C, OH, OW) block: no loop over pixels.
    """
    # BEGIN TASK 6.1
    _, _, oh, ow, kh, kw = cols.shape
    sh, sw = stride
    out = np.zeros(input_shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] += cols[:, :, :, :, i, j]
    return out
    # END TASK 6.1


class Conv2d(Function):
    """z[n, o] = sum over c, i, j of W[o, c, i, j] * x_padded[n, c, s*y + i, s*x + j] + b[o]
    dz/dx = col2im(g @ W2)   dz/dW = g^T @ cols   dz/db = sum of g over N, OH, OW

    As im2col: z = cols @ W2^T + b, with cols (N*OH*OW, C*kh*kw) the patches and
    W2 = W.reshape(O, -1); backward runs the product the other way, and col2im adds each patch
    gradient back onto its pixels (like torch.nn.functional.conv2d; no dilation or groups).
    """
    name = "conv2d"
    rule = ("each input window gets grad times the kernel weights (overlaps add up), W gets "
            "grad times the input windows summed over positions, b gets grad summed per "
            "output channel")

    def forward(self, x, weight, bias=None, stride=1, padding=0):
        check_4d(self.name, x)
        check_4d(self.name, weight, "weight (out, in, kh, kw)")
        n, c, h, w = x.shape
        o, c_in, kh, kw = weight.shape
        if c != c_in:
            raise ValueError(f"conv2d: input {x.shape} has {c} channels but weight {weight.shape} "
                             f"expects {c_in} (weight is (out, in, kh, kw))")
        if bias is not None and bias.shape != (o,):
            raise ValueError(f"conv2d: bias {bias.shape} does not fit weight {weight.shape}; "
                             f"expected ({o},)")
        self.stride = int_pair(self.name, stride, "stride", 1)
        self.padding = ph, pw = int_pair(self.name, padding, "padding", 0)
        oh, ow = output_size(self.name, x.shape, (kh, kw), self.stride, self.padding)
        padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
        # (N, C, OH, OW, kh, kw) -> rows (n, oh, ow), columns (c, i, j): matches W.reshape(O, -1)
        cols = windows(padded, (kh, kw), self.stride).transpose(0, 2, 3, 1, 4, 5)
        cols = cols.reshape(n * oh * ow, c * kh * kw)
        out = cols @ weight.reshape(o, -1).T
        if bias is not None:
            out += bias
        self.save_for_backward(cols, weight)
        self.padded_shape, self.input_shape = padded.shape, x.shape
        self.has_bias = bias is not None
        return np.ascontiguousarray(out.reshape(n, oh, ow, o).transpose(0, 3, 1, 2))

    def backward(self, grad_output):
        # BEGIN TASK 6.2
        cols, weight = self.saved
        n, o, oh, ow = grad_output.shape
        _, c, kh, kw = weight.shape
        g = grad_output.transpose(0, 2, 3, 1).reshape(-1, o)
        grad_weight = (g.T @ cols).reshape(weight.shape)
        grad_x = None
        if self.needs_input_grad[0]:
            grad_cols = (g @ weight.reshape(o, -1)).reshape(n, oh, ow, c, kh, kw)
            grad_padded = col2im(grad_cols.transpose(0, 3, 1, 2, 4, 5), self.padded_shape,
                                 self.stride)
            (ph, pw), (h, w) = self.padding, self.input_shape[2:]
            grad_x = grad_padded[:, :, ph:ph + h, pw:pw + w]
        if self.has_bias:
            return grad_x, grad_weight, g.sum(axis=0)
        return grad_x, grad_weight
        # END TASK 6.2
