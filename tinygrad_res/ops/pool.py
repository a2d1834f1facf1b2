"""Pooling on NCHW images: max and average over sliding windows, and adaptive average pooling.

The windows are the same strided view a convolution reads (conv.windows); backward hands each
window's gradient back to its pixels with conv.col2im.
"""
import numpy as np

from ..function import Function
from .conv import check_4d, col2im, output_size, int_pair, windows


def _kernel_and_stride(op: str, kernel_size, stride) -> tuple:
    kernel = int_pair(op, kernel_size, "kernel_size", 1)
    return kernel, kernel if stride is None else int_pair(op, stride, "stride", 1)


class MaxPool2d(Function):
    """z = the largest entry of each window   dz/dx = 1 at that entry, 0 elsewhere

    Like PyTorch, a tie sends the whole gradient to the first maximum of the window (in
    row-major order), and a pixel that is the maximum of several overlapping windows gets the sum.
    """
    name = "max_pool2d"
    rule = "each window's gradient goes to the entry that was its maximum"

    def forward(self, x, kernel_size, stride=None):
        check_4d(self.name, x)
        self.kernel, self.stride = _kernel_and_stride(self.name, kernel_size, stride)
        n, c = x.shape[:2]
        oh, ow = output_size(self.name, x.shape, self.kernel, self.stride)
        flat = windows(x, self.kernel, self.stride).reshape(n, c, oh, ow, -1)
        self.argmax = flat.argmax(axis=-1)[..., None]
        self.input_shape, self.dtype = x.shape, x.dtype
        return np.take_along_axis(flat, self.argmax, axis=-1)[..., 0]

    def backward(self, grad_output):
        cols = np.zeros(grad_output.shape + (self.kernel[0] * self.kernel[1],), dtype=self.dtype)
        np.put_along_axis(cols, self.argmax, grad_output[..., None], axis=-1)
        cols = cols.reshape(grad_output.shape + self.kernel)
        return col2im(cols, self.input_shape, self.stride)


class AvgPool2d(Function):
    """z = the mean of each window   dz/dx = 1 / (kh * kw) for every entry of the window"""
    name = "avg_pool2d"
    rule = "each window's gradient is shared equally by the window's entries"

    def forward(self, x, kernel_size, stride=None):
        check_4d(self.name, x)
        self.kernel, self.stride = _kernel_and_stride(self.name, kernel_size, stride)
        output_size(self.name, x.shape, self.kernel, self.stride)
        self.input_shape = x.shape
        return windows(x, self.kernel, self.stride).mean(axis=(-2, -1))

    def backward(self, grad_output):
        share = grad_output / (self.kernel[0] * self.kernel[1])
        cols = np.broadcast_to(share[..., None, None], grad_output.shape + self.kernel)
        return col2im(cols, self.input_shape, self.stride)


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
