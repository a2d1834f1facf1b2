"""Layers for images (NCHW): Conv2d, BatchNorm2d and pooling, as in torch.nn.

Each is a thin module over an engine op (tinygrad_res.conv2d, batch_norm, max_pool2d, ...):
the module owns the parameters and buffers, the op owns the arithmetic and its backward.
"""
from __future__ import annotations

import math

import numpy as np

from tinygrad_res import (Tensor, adaptive_avg_pool2d, avg_pool2d, conv2d, global_avg_pool2d,
                          max_pool2d)

from .init import Seed, as_rng, uniform_
from .layers import BatchNorm
from .module import Module
from .parameter import Parameter
from .sizes import check_pair, check_size


class Conv2d(Module):
    """2-d convolution: weight (out_channels, in_channels / groups, kh, kw), bias (out_channels,).

    Initialised as torch.nn.Conv2d: U(-k, k), k = 1/sqrt(fan_in), fan_in = in_channels / groups
    * kh * kw (the inputs one output channel reads); ResNet re-initialises its convolutions
    with He's normal scheme. dilation spaces the kernel's taps; groups splits the channels into
    independent convolutions (groups = in_channels: depthwise), as in PyTorch.

    >>> conv = Conv2d(1, 16, 3, padding=1, seed=0)
    >>> conv(Tensor(np.zeros((2, 1, 8, 8)))).shape
    (2, 16, 8, 8)
    >>> Conv2d(16, 16, 3, padding=2, dilation=2, groups=16).weight.shape   # depthwise
    (16, 1, 3, 3)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, seed: Seed = None,
                 dtype=np.float64) -> None:
        super().__init__()
        self.in_channels = check_size("Conv2d", "in_channels", in_channels)
        self.out_channels = check_size("Conv2d", "out_channels", out_channels)
        self.kernel_size = check_pair("Conv2d", "kernel_size", kernel_size, 1)
        self.stride = check_pair("Conv2d", "stride", stride, 1)
        self.padding = check_pair("Conv2d", "padding", padding, 0)
        self.dilation = check_pair("Conv2d", "dilation", dilation, 1)
        self.groups = check_size("Conv2d", "groups", groups, 1)
        for what, channels in (("in_channels", self.in_channels),
                               ("out_channels", self.out_channels)):
            if channels % self.groups:
                raise ValueError(f"Conv2d: {what} ({channels}) must be divisible by groups "
                                 f"({self.groups})")
        rng = as_rng(seed)
        fan_in = self.in_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
        bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0  # as PyTorch: no inputs, zero bias
        shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = uniform_(Parameter(Tensor(np.zeros(shape), dtype=dtype)), -bound, bound,
                               rng)
        self.bias = None
        if bias:
            self.bias = uniform_(Parameter(Tensor(np.zeros(self.out_channels), dtype=dtype)),
                                 -bound, bound, rng)

    def forward(self, x: Tensor) -> Tensor:
        if not self.in_channels or not self.out_channels:
            raise ValueError(f"Conv2d: cannot run with in_channels={self.in_channels}, "
                             f"out_channels={self.out_channels}: the conv2d op needs at least "
                             f"one channel in and out")
        return conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding,
                      dilation=self.dilation, groups=self.groups)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + f", bias={self.bias is not None}"


class BatchNorm2d(BatchNorm):
    """Normalise each channel over the batch and the image, as torch.nn.BatchNorm2d.

    train(): the batch's mean and variance normalise, and the running estimates move towards
    them (running = (1 - momentum) * running + momentum * batch, unbiased variance).
    eval(): the running estimates normalise, so a sample's output does not depend on its batch.
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d: expected input (N, {self.num_features}, H, W), "
                             f"got shape {x.shape}")
        return self._normalise(x)


class _Pool2d(Module):
    """A window size, a stride (the window size by default: windows do not overlap) and a
    padding (at most half the window)."""

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        check_pair(type(self).__name__, "kernel_size", kernel_size, 1)
        if stride is not None:
            check_pair(type(self).__name__, "stride", stride, 1)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """torch.nn.MaxPool2d: pads with -inf.

    >>> MaxPool2d(3, stride=2, padding=1)(Tensor(np.zeros((1, 64, 112, 112)))).shape
    (1, 64, 56, 56)
    """

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """torch.nn.AvgPool2d: pads with zeros, counted in the mean unless count_include_pad=False."""

    def __init__(self, kernel_size, stride=None, padding=0,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.count_include_pad)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", count_include_pad={self.count_include_pad}"


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size) -> None:
        super().__init__()
        check_pair("AdaptiveAvgPool2d", "output_size", output_size, 1)
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class GlobalAvgPool2d(Module):
    """(N, C, H, W) -> (N, C): the mean of each feature map, a ResNet's last pooling."""

    def forward(self, x: Tensor) -> Tensor:
        return global_avg_pool2d(x)
