"""2-d convolution on NCHW images by im2col: one matrix product instead of loops over pixels.

Each output pixel sees a (kh, kw, C) patch of the input. Laid out as a strided view and copied
into one row per output pixel, the patches make the im2col matrix `cols`, and the convolution
becomes `cols @ W2` (W2: the kernel as a matrix). Backward runs the same product the other way
for the weight; for the input, `col2im` adds each patch gradient back onto the pixels it was
read from, or at stride 1 one more convolution does the same sum. channels_last.py keeps the
images channels-last in memory, which makes the copy fast; it changes no number.

`windows` lays the patches out as a strided view of NCHW images and `col2im` is its adjoint:
the pooling ops (pool.py) use both.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..function import Function
from .channels_last import (channels_last, images_from_rows, kernel_from_matrix, kernel_matrix,
                            kernel_taps, patch_matrix, patches_from_taps, rows_from_images)


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


def output_size(op: str, x_shape: tuple, kernel: tuple, stride: tuple, padding=(0, 0),
                dilation=(1, 1)) -> tuple:
    """(OH, OW) = (H + 2p - d*(k - 1) - 1) // s + 1 per axis: the kernel, spread over
    d*(k - 1) + 1 pixels by the dilation d, must fit in the padded input."""
    padded = (x_shape[2] + 2 * padding[0], x_shape[3] + 2 * padding[1])
    span = tuple(dilation[i] * (kernel[i] - 1) + 1 for i in (0, 1))
    if span[0] > padded[0] or span[1] > padded[1]:
        pad_note = f" with padding {padding}" if any(padding) else ""
        kernel_note = f"kernel {tuple(kernel)}"
        if span != tuple(kernel):
            kernel_note += f" with dilation {dilation} spans {span} and"
        raise ValueError(f"{op}: {kernel_note} is larger than the padded input {padded} "
                         f"(input {x_shape}{pad_note})")
    return tuple((padded[i] - span[i]) // stride[i] + 1 for i in (0, 1))


def windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation=(1, 1)) -> np.ndarray:
    """(N, C, H, W) -> view (N, C, OH, OW, kh, kw): the patch each output pixel sees, its taps
    `dilation` pixels apart. No copy.

    >>> windows(np.arange(16.0).reshape(1, 1, 4, 4), (2, 2), (2, 2))[0, 0, 1, 0]
    array([[ 8.,  9.],
           [12., 13.]])
    """
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    view = sliding_window_view(x, span, axis=(2, 3))
    return view[:, :, ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]


def col2im(cols: np.ndarray, input_shape: tuple, stride: tuple, dilation=(1, 1)) -> np.ndarray:
    """The adjoint of `windows`: add every patch entry back to the pixel it was read from.

    cols is (N, C, OH, OW, kh, kw). When stride < kernel the patches overlap and a pixel gets
    the sum of all its reads. One step per kernel offset (kh * kw steps), each moving a whole
    (N, C, OH, OW) block: no loop over pixels. The result has the memory order of cols' pixels
    (a convolution hands in channels-last patches: adding into NCHW memory would be slower).
    """
    # BEGIN TASK 6.1
    _, _, oh, ow, kh, kw = cols.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros_like(cols[:, :, :, :, 0, 0], shape=input_shape)
    for i in range(kh):
        for j in range(kw):
            rows, columns = slice(dh * i, dh * i + sh * oh, sh), slice(dw * j, dw * j + sw * ow, sw)
            out[:, :, rows, columns] += cols[:, :, :, :, i, j]
    return out
    # END TASK 6.1


def convolve(images: np.ndarray, weight: np.ndarray, stride: tuple, dilation: tuple,
             groups: int) -> tuple:
    """The convolution of padded channels-last images (N, H, W, C) with weight (O, C / groups,
    kh, kw), by im2col: (z as an (N, O, OH, OW) array, cols), one matrix product per group."""
    cols, (oh, ow) = patch_matrix(images, weight.shape[2:], stride, dilation, groups)
    z = images_from_rows(cols @ kernel_matrix(weight, groups), images.shape[0], oh, ow)
    return z, cols


def check_groups(op: str, groups, x_shape: tuple, weight_shape: tuple) -> int:
    """groups, checked: a positive int dividing the weight's output channels, and the input
    has groups times the weight's input channels."""
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    out_channels, group_channels = weight_shape[:2]
    if out_channels % groups:
        raise ValueError(f"{op}: weight {weight_shape} has {out_channels} output channels, "
                         f"which groups={groups} does not divide")
    if x_shape[1] != group_channels * groups:
        with_groups = f" with groups={groups}" if groups > 1 else ""
        layout = "in / groups" if groups > 1 else "in"
        raise ValueError(f"{op}: input {x_shape} has {x_shape[1]} channels but weight "
                         f"{weight_shape}{with_groups} expects {group_channels * groups} "
                         f"(weight is (out, {layout}, kh, kw))")
    return int(groups)


class Conv2d(Function):
    """z[n, o] = sum over c, i, j of W[o, c, i, j] * x_padded[n, c, s*y + d*i, s*x + d*j] + b[o]
    dz/dx = col2im(g @ W2^T); at stride 1 = conv(g padded by d*(k-1) - p, W turned around)
    dz/dW = cols^T @ g   dz/db = sum of g over N, OH, OW

    s is the stride, p the padding, d the dilation, as in torch.nn.functional.conv2d. As im2col:
    z = cols @ W2 + b, with cols (N*OH*OW, kh*kw*C) the patches and W2 the kernel as a matrix;
    with groups, the channels split into `groups` equal parts, each output channel reads its
    own part only, and there is one such product per group. W's gradient is the product the
    other way round. x's gradient adds every patch's gradient, g @ W2^T, back onto the pixels
    the patch was read from (col2im). At stride 1 that sum is itself a convolution: of g,
    padded by d*(k-1) - p so that every window that read a pixel reaches it, with the kernel
    turned around (flipped in both axes, in and out channels swapped); one im2col and one
    product then replace the kh*kw passes of col2im. At a larger stride that convolution would
    mostly multiply zeros (g spread out by the stride), so the shares are added back instead.
    """
    name = "conv2d"
    rule = ("x gets every patch's gradient added back onto the pixels it read (at stride 1: "
            "grad convolved with the flipped kernel), W gets grad times the input windows "
            "summed over positions, b gets grad summed per output channel")

    def forward(self, x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
        check_4d(self.name, x)
        check_4d(self.name, weight, "weight (out, in / groups, kh, kw)")
        self.groups = check_groups(self.name, groups, x.shape, weight.shape)
        if bias is not None and bias.shape != weight.shape[:1]:
            raise ValueError(f"conv2d: bias {bias.shape} does not fit weight {weight.shape}; "
                             f"expected ({weight.shape[0]},)")
        self.stride = int_pair(self.name, stride, "stride", 1)
        self.padding = ph, pw = int_pair(self.name, padding, "padding", 0)
        self.dilation = int_pair(self.name, dilation, "dilation", 1)
        output_size(self.name, x.shape, weight.shape[2:], self.stride, self.padding,
                    self.dilation)
        h, w = x.shape[2:]
        padded = channels_last(x, size=(h + 2 * ph, w + 2 * pw), offset=(ph, pw))
        out, cols = convolve(padded, weight, self.stride, self.dilation, self.groups)
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        self.save_for_backward(cols, weight)
        self.input_shape, self.has_bias = x.shape, bias is not None
        return out

    def backward(self, grad_output):
        # BEGIN TASK 6.2
        cols, weight = self.saved
        groups, (kh, kw), (dh, dw) = self.groups, weight.shape[2:], self.dilation
        (n, c, h, w), (ph, pw) = self.input_shape, self.padding
        g = rows_from_images(grad_output, groups)  # laid out like z = cols @ W2
        grad_weight = kernel_from_matrix(cols.transpose(0, 2, 1) @ g, weight.shape)
        grad_x = None
        if self.needs_input_grad[0] and self.stride == (1, 1):
            padded_g = channels_last(grad_output, size=(h + dh * (kh - 1), w + dw * (kw - 1)),
                                     offset=(dh * (kh - 1) - ph, dw * (kw - 1) - pw))
            out_channels, group_channels = weight.shape[:2]
            turned = weight[:, :, ::-1, ::-1].reshape(groups, out_channels // groups,
                                                      group_channels, kh, kw)
            turned = turned.transpose(0, 2, 1, 3, 4).reshape(c, out_channels // groups, kh, kw)
            grad_x, _ = convolve(padded_g, turned, (1, 1), self.dilation, groups)
        elif self.needs_input_grad[0]:
            shares = g[:, None] @ kernel_taps(weight, groups)  # each tap's share of each patch
            patches = patches_from_taps(shares, grad_output.shape, (kh, kw))
            grad_padded = col2im(patches, (n, c, h + 2 * ph, w + 2 * pw), self.stride,
                                 self.dilation)
            grad_x = grad_padded[:, :, ph:ph + h, pw:pw + w]
        if self.has_bias:
            return grad_x, grad_weight, grad_output.sum(axis=(0, 2, 3))
        return grad_x, grad_weight
        # END TASK 6.2
