"""Pooling on NCHW images: max and average over sliding windows, and adaptive average pooling.

The windows are the same strided view a convolution reads (conv.windows); backward hands each
window's gradient back to its pixels with conv.col2im. `padding` works as in PyTorch: max
pooling pads with -inf (a pad never wins), average pooling with zeros, counted in the divisor
unless count_include_pad=False; at most half a kernel of padding per side.
"""
import numpy as np

from ..function import Function
from .conv import check_4d, col2im, output_size, int_pair, windows


def _kernel_and_stride(op: str, kernel_size, stride) -> tuple:
    kernel = int_pair(op, kernel_size, "kernel_size", 1)
    return kernel, kernel if stride is None else int_pair(op, stride, "stride", 1)


def _padding(op: str, padding, kernel: tuple) -> tuple:
    """PyTorch's rule: a window must hold at least one real pixel, so pad <= kernel // 2."""
    pad = int_pair(op, padding, "padding", 0)
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise ValueError(f"{op}: padding {pad} must be at most half of the kernel {kernel} "
                         f"on each side (as in PyTorch)")
    return pad


def _pad(x: np.ndarray, pad: tuple, value: float) -> np.ndarray:
    if not any(pad):
        return x
    return np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])),
                  constant_values=value)


def _unpad(grad: np.ndarray, pad: tuple, input_shape: tuple) -> np.ndarray:
    """The gradient of the padded array without its border: the pads are constants."""
    (ph, pw), (h, w) = pad, input_shape[2:]
    return grad[:, :, ph:ph + h, pw:pw + w]


class MaxPool2d(Function):
    """z = the largest entry of each window   dz/dx = 1 at that entry, 0 elsewhere

    Like PyTorch, a tie sends the whole gradient to the first maximum of the window (in
    row-major order), and a pixel that is the maximum of several overlapping windows gets the sum.
    """
    name = "max_pool2d"
    rule = "each window's gradient goes to the entry that was its maximum"

    def forward(self, x, kernel_size, stride=None, padding=0):
        check_4d(self.name, x)
        self.kernel, self.stride = _kernel_and_stride(self.name, kernel_size, stride)
        self.padding = _padding(self.name, padding, self.kernel)
        n, c = x.shape[:2]
        oh, ow = output_size(self.name, x.shape, self.kernel, self.stride, self.padding)
        padded = _pad(x, self.padding, -np.inf)
        flat = windows(padded, self.kernel, self.stride).reshape(n, c, oh, ow, -1)
        self.argmax = flat.argmax(axis=-1)[..., None]
        self.input_shape, self.padded_shape, self.dtype = x.shape, padded.shape, x.dtype
        return np.take_along_axis(flat, self.argmax, axis=-1)[..., 0]

    def backward(self, grad_output):
        cols = np.zeros(grad_output.shape + (self.kernel[0] * self.kernel[1],), dtype=self.dtype)
        np.put_along_axis(cols, self.argmax, grad_output[..., None], axis=-1)
        cols = cols.reshape(grad_output.shape + self.kernel)
        return _unpad(col2im(cols, self.padded_shape, self.stride), self.padding,
                      self.input_shape)


class AvgPool2d(Function):
    """z = the sum of each window / d   dz/dx = 1 / d for every entry of the window

    d = kh * kw, zero pads included (count_include_pad=True, PyTorch's default), or the number
    of real pixels in the window (count_include_pad=False)."""
    name = "avg_pool2d"
    rule = "each window's gradient is shared equally by the window's entries"

    def forward(self, x, kernel_size, stride=None, padding=0, count_include_pad=True):
        check_4d(self.name, x)
        self.kernel, self.stride = _kernel_and_stride(self.name, kernel_size, stride)
        self.padding = _padding(self.name, padding, self.kernel)
        output_size(self.name, x.shape, self.kernel, self.stride, self.padding)
        padded = _pad(x, self.padding, 0.0)
        self.input_shape, self.padded_shape = x.shape, padded.shape
        if count_include_pad or not any(self.padding):
            self.divisor = self.kernel[0] * self.kernel[1]
        else:  # real pixels per window: pool a map of ones padded with zeros
            ones = _pad(np.ones((1, 1) + x.shape[2:], dtype=x.dtype), self.padding, 0.0)
            self.divisor = windows(ones, self.kernel, self.stride).sum(axis=(-2, -1))
        return windows(padded, self.kernel, self.stride).sum(axis=(-2, -1)) / self.divisor

    def backward(self, grad_output):
        share = grad_output / self.divisor
        cols = np.broadcast_to(share[..., None, None], grad_output.shape + self.kernel)
        return _unpad(col2im(cols, self.padded_shape, self.stride), self.padding,
                      self.input_shape)


def averaging_matrix(size: int, out_size: int) -> np.ndarray:
    """(out_size, size) matrix; row i averages entries floor(i*size/out) .. ceil((i+1)*size/out)-1.

    These are PyTorch's adaptive pooling windows; neighbours overlap when size is not a multiple
    of out_size.

    >>> averaging_matrix(4, 2)
    array([[0.5, 0.5, 0. , 0. ],
           [0. , 0. , 0.5, 0.5]])
    """
    matrix = np.zeros((out_size, size))
    for i in range(out_size):
        start, end = (i * size) // out_size, -((-(i + 1) * size) // out_size)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


class AdaptiveAvgPool2d(Function):
    """z = A_h @ x @ A_w^T   dz/dx = A_h^T @ g @ A_w

    A_h and A_w are the averaging matrices of the two axes (averaging_matrix). An average over a rectangle is an average over its rows of averages over its columns, so
    adaptive pooling is two small matrix products, whatever the window sizes.
    """
    name = "adaptive_avg_pool2d"
    rule = "each output's gradient is shared equally by the entries it averaged"

    def forward(self, x, output_size):
        check_4d(self.name, x)
        oh, ow = int_pair(self.name, output_size, "output_size", 1)
        if oh > x.shape[2] or ow > x.shape[3]:
            raise ValueError(f"adaptive_avg_pool2d: output_size {(oh, ow)} is larger than the "
                             f"input's spatial size {x.shape[2:]} (input {x.shape})")
        self.rows = averaging_matrix(x.shape[2], oh).astype(x.dtype)
        self.cols = averaging_matrix(x.shape[3], ow).astype(x.dtype)
        return self.rows @ x @ self.cols.T

    def backward(self, grad_output):
        return self.rows.T @ grad_output @ self.cols
