"""Functions that take several tensors (the methods of Tensor take one)."""
from __future__ import annotations

import numbers
from typing import Optional, Sequence

import numpy as np

from . import ops
from .dims import numpy_names
from .tensor import Tensor


def _tensors(op: str, items: Sequence) -> list:
    if isinstance(items, Tensor) or not isinstance(items, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(items).__name__}")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in items]


@numpy_names
def concat(tensors: Sequence, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim, as torch.cat (numpy.concatenate); `axis=` works too."""
    return ops.Concat.apply(*_tensors("concat", tensors), axis=dim)


@numpy_names
def cat(tensors: Sequence, dim: int = 0) -> Tensor:
    """torch.cat's name for concat.

    >>> cat([Tensor(np.ones((2, 3))), Tensor(np.zeros((2, 1)))], dim=1).shape
    (2, 4)
    """
    return ops.Concat.apply(*_tensors("cat", tensors), axis=dim)


@numpy_names
def stack(tensors: Sequence, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim, as torch.stack; `axis=` works too."""
    return ops.Stack.apply(*_tensors("stack", tensors), axis=dim)


def pad(input: Tensor, pad: Sequence, mode: str = "constant", value: Optional[float] = None
        ) -> Tensor:
    """Pad with `value` (0 for None), as torch.nn.functional.pad: `pad` holds (before, after)
    pairs from the last dim backwards; a negative pad crops. Only mode='constant' exists here.

    >>> pad(Tensor(np.ones((2, 3))), (1, 0, -1, 2)).shape    # last dim +1 left; dim 0 -1, +2
    (3, 4)
    """
    if mode != "constant":
        raise NotImplementedError(f"pad: mode={mode!r} is not implemented; only 'constant'")
    if value is not None and not isinstance(value, numbers.Real):
        raise TypeError(f"pad: value must be a number or None, got {value!r}")
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad: pad must be a tuple of ints, got {type(pad).__name__}")
    return ops.Pad.apply(input, pad=pad, value=0.0 if value is None else float(value))


def _both_tensors(a, b) -> tuple:
    """Make both operands tensors; a plain number takes the float type of the other."""
    if isinstance(a, Tensor):
        return a, a._lift(b)
    if isinstance(b, Tensor):
        return b._lift(a), b
    return Tensor(a), Tensor(b)


def where(cond, a, b) -> Tensor:
    """Entries of `a` where `cond` is true, else of `b`. `cond` (a bool array or Tensor) gets
    no gradient; `a` and `b` may be numbers. All three broadcast."""
    cond_array = np.asarray(cond.data if isinstance(cond, Tensor) else cond).astype(bool)
    a, b = _both_tensors(a, b)
    try:
        np.broadcast_shapes(cond_array.shape, a.shape, b.shape)
    except ValueError:
        raise ValueError(f"where: cannot broadcast cond {cond_array.shape} with "
                         f"{a.shape} with {b.shape}") from None
    return ops.Where.apply(a, b, cond=cond_array)


def maximum(a, b) -> Tensor:
    """Entrywise maximum; at ties each side gets half the gradient, as in PyTorch."""
    return ops.Maximum.apply(*_both_tensors(a, b))


def linear(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """x @ weight.T + bias in one op (torch.nn.functional.linear)."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return ops.Linear.apply(*inputs)


def _as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def _running_array(name: str, value) -> Optional[np.ndarray]:
    """The array batch_norm updates in place: a Tensor's data or a float numpy array."""
    array = value.data if isinstance(value, Tensor) else value
    if array is not None and not (isinstance(array, np.ndarray) and array.dtype.kind == "f"):
        raise TypeError(f"batch_norm: {name} must be a float numpy array, a Tensor or None, "
                        f"got {type(value).__name__}")
    return array


def conv2d(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Tensor:
    """2-d convolution of NCHW images, as torch.nn.functional.conv2d.

    x (N, C, H, W), weight (out, C / groups, kh, kw), bias (out,); stride, padding and dilation
    are ints or (height, width) pairs; padding adds zeros; dilation spaces the kernel's taps
    d pixels apart. groups splits the channels into that many independent convolutions
    (groups = C with out = C: depthwise). Output (N, out, OH, OW) with
    OH = (H + 2p - d * (kh - 1) - 1) // s + 1.

    >>> conv2d(Tensor(np.ones((1, 1, 3, 3))), Tensor(np.ones((1, 1, 2, 2)))).shape
    (1, 1, 2, 2)
    >>> conv2d(Tensor(np.ones((1, 4, 5, 5))), Tensor(np.ones((4, 1, 3, 3))), groups=4,
    ...        dilation=2).shape                     # depthwise, taps 2 pixels apart
    (1, 4, 1, 1)
    """
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return ops.Conv2d.apply(*inputs, stride=stride, padding=padding, dilation=dilation,
                            groups=groups)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Largest entry of each kernel_size window (torch.nn.functional.max_pool2d, without
    dilation or ceil_mode); stride defaults to kernel_size (no overlap); padding (an int or a
    pair, at most half the kernel) pads with -inf, so a pad is never the maximum.

    >>> max_pool2d(Tensor(np.zeros((1, 1, 112, 112))), 3, stride=2, padding=1).shape
    (1, 1, 56, 56)
    """
    return ops.MaxPool2d.apply(x, kernel_size=kernel_size, stride=stride, padding=padding)


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0,
               count_include_pad: bool = True) -> Tensor:
    """Mean of each kernel_size window (torch.nn.functional.avg_pool2d, without ceil_mode or
    divisor_override); stride defaults to kernel_size; padding adds zeros, which count in the
    mean unless count_include_pad=False."""
    return ops.AvgPool2d.apply(x, kernel_size=kernel_size, stride=stride, padding=padding,
                               count_include_pad=count_include_pad)


def adaptive_avg_pool2d(x: Tensor, output_size) -> Tensor:
    """Average-pool (N, C, H, W) down to (N, C, *output_size) with PyTorch's window rule."""
    return ops.AdaptiveAvgPool2d.apply(x, output_size=output_size)


def global_avg_pool2d(x: Tensor) -> Tensor:
    """Mean over each feature map: (N, C, H, W) -> (N, C), the head of a ResNet."""
    if x.ndim != 4:
        raise ValueError(f"global_avg_pool2d: input must be 4-d (N, C, H, W), got shape {x.shape}")
    return x.mean(axis=(2, 3))


def batch_norm(x: Tensor, running_mean, running_var, weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) as torch.nn.functional.batch_norm does.

    training=True uses the batch's statistics and updates running_mean / running_var (numpy
    arrays or Tensors, or None) in place; training=False uses the running statistics.
    weight (gamma) defaults to ones and bias (beta) to zeros.
    """
    channels = x.shape[1] if x.ndim > 1 else 1
    weight = Tensor(np.ones(channels, dtype=x.dtype)) if weight is None else _as_tensor(weight)
    bias = Tensor(np.zeros(channels, dtype=x.dtype)) if bias is None else _as_tensor(bias)
    running = [_running_array(name, r) for name, r in
               (("running_mean", running_mean), ("running_var", running_var))]
    return ops.BatchNorm.apply(x, weight, bias, running_mean=running[0], running_var=running[1],
                               training=training, momentum=momentum, eps=eps)
