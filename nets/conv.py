"""Layers for images (NCHW): Conv2d, BatchNorm2d and pooling, as in torch.nn.

Each is a thin module over an engine op (tinygrad_res.conv2d, batch_norm, max_pool2d, ...):
the module owns the parameters and buffers, the op owns the arithmetic and its backward.
"""
from __future__ import annotations

import math

import numpy as np

from tinygrad_res import (Tensor, adaptive_avg_pool2d, avg_pool2d, batch_norm, conv2d,
                          global_avg_pool2d, max_pool2d)
from tinygrad_res.ops.conv import int_pair

from .init import Seed, as_rng, constant_, uniform_, zeros_
from .module import Module


class Conv2d(Module):
    """2-d convolution: weight (out_channels, in_channels, kh, kw), bias (out_channels,).

    Initialised as torch.nn.Conv2d: U(-k, k), k = 1/sqrt(in_channels * kh * kw); ResNet
    re-initialises its convolutions with He's normal scheme.

    >>> conv = Conv2d(1, 16, 3, padding=1, seed=0)
    >>> conv(Tensor(np.zeros((2, 1, 8, 8)))).shape
    (2, 16, 8, 8)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True, seed: Seed = None, dtype=np.float64) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = int_pair("Conv2d", kernel_size, "kernel_size", 1)
        self.stride = int_pair("Conv2d", stride, "stride", 1)
        self.padding = int_pair("Conv2d", padding, "padding", 0)
        rng = as_rng(seed)
        bound = 1.0 / math.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        shape = (out_channels, in_channels) + self.kernel_size
        self.weight = uniform_(Tensor(np.zeros(shape), requires_grad=True, dtype=dtype),
                               -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = uniform_(Tensor(np.zeros(out_channels), requires_grad=True, dtype=dtype),
                                 -bound, bound, rng)

    def forward(self, x: Tensor) -> Tensor:
        return conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


class BatchNorm2d(Module):
    """Normalise each channel over the batch and the image, as torch.nn.BatchNorm2d.

    train(): the batch's mean and variance normalise, and the running estimates move towards
    them (running = (1 - momentum) * running + momentum * batch, unbiased variance).
    eval(): the running estimates normalise, so a sample's output does not depend on its batch.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, dtype=np.float64) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = self.bias = None
        if affine:
            self.weight = constant_(Tensor(np.zeros(num_features), requires_grad=True,
                                           dtype=dtype), 1.0)
            self.bias = zeros_(Tensor(np.zeros(num_features), requires_grad=True, dtype=dtype))
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm2d: expected input (N, {self.num_features}, H, W), "
                             f"got shape {x.shape}")
        # the op normalises, and in training mode updates the running arrays in place
        out = batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                         training=self.training, momentum=self.momentum, eps=self.eps)
        if self.training:
            self.num_batches_tracked = self.num_batches_tracked + 1
        return out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.weight is not None}")


class _Pool2d(Module):
    """A window size, a stride (the window size by default: windows do not overlap) and a
    padding (at most half the window)."""

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
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
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class GlobalAvgPool2d(Module):
    """(N, C, H, W) -> (N, C): the mean of each feature map, a ResNet's last pooling."""

    def forward(self, x: Tensor) -> Tensor:
        return global_avg_pool2d(x)
