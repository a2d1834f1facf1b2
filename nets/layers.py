"""Layers: Linear, activations, LayerNorm and BatchNorm1d.

LayerNorm is written with the engine's ordinary ops (mean, sub, mul, sqrt, div), so its backward
comes from autodiff; BatchNorm1d runs the engine's batch_norm op, as BatchNorm2d does (one copy
of the running-statistics update). Both are checked in the tests against finite differences and
against the hand-written numpy backward of nets/manual_layers.py.
"""
from __future__ import annotations

import math

import numpy as np

from tinygrad_res import Tensor, batch_norm, linear, rerun_on_replay

from .init import Seed, as_rng, uniform_
from .module import Module
from .parameter import Parameter
from .sizes import NotAnIntError, check_features_to_normalise, check_size


def _check_features(layer: str, x: Tensor, features: int, axis: int = -1) -> None:
    shape = x.shape
    if not shape or shape[axis] != features:
        raise ValueError(f"{layer}: expected input with {features} features on axis {axis}, "
                         f"got shape {x.shape}")


class Linear(Module):
    """y = x @ W.T + b, with W of shape (out_features, in_features) and b of shape
    (out_features,), as torch.nn.Linear. Initialised as PyTorch does: U(-k, k), k = 1/sqrt(in).

    >>> layer = Linear(3, 2, seed=0)
    >>> layer(Tensor(np.ones((5, 3)))).shape
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 seed: Seed = None, dtype=np.float64) -> None:
        super().__init__()
        in_features = check_size("Linear", "in_features", in_features)
        out_features = check_size("Linear", "out_features", out_features)
        self.in_features, self.out_features = in_features, out_features
        rng = as_rng(seed)
        # PyTorch's bound; with no inputs the weight is empty and the bias starts at zero
        bound = 1.0 / math.sqrt(in_features) if in_features else 0.0
        self.weight = Parameter(Tensor(np.zeros((out_features, in_features)), dtype=dtype))
        uniform_(self.weight, -bound, bound, rng)
        self.bias = None
        if bias:
            self.bias = Parameter(Tensor(np.zeros(out_features), dtype=dtype))
            uniform_(self.bias, -bound, bound, rng)

    def forward(self, x: Tensor) -> Tensor:
        _check_features("Linear", x, self.in_features)
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.relu()


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.tanh()


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x.sigmoid()


class Flatten(Module):
    """Join the axes start_dim..end_dim (inclusive; negative counts from the end) into one, as
    torch.nn.Flatten: by default every axis but the batch axis, (N, C, H, W) -> (N, C*H*W).

    >>> Flatten()(Tensor(np.zeros((2, 3, 4, 5)))).shape
    (2, 60)
    >>> Flatten(0, 1)(Tensor(np.zeros((2, 3, 4)))).shape
    (6, 4)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        for name, dim in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
                raise NotAnIntError(f"Flatten: {name} must be an int, got {dim!r}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Tensor) -> Tensor:
        ndim = max(x.ndim, 1)  # a 0-d tensor flattens as one of shape (1,), as in PyTorch
        start, end = (self._axis(dim, ndim) for dim in (self.start_dim, self.end_dim))
        if start > end:
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim "
                             f"{self.end_dim} for an input of shape {x.shape}")
        shape = x.shape or (1,)
        joined = int(np.prod(shape[start:end + 1], dtype=np.int64))
        return x.reshape(shape[:start] + (joined,) + shape[end + 1:])

    @staticmethod
    def _axis(dim: int, ndim: int) -> int:
        if not -ndim <= dim < ndim:
            raise IndexError(f"Flatten: dim {dim} is out of range for an input with {ndim} "
                             f"dims (expected {-ndim} to {ndim - 1})")
        return dim % ndim

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    """Returns its input: the shortcut of a residual block when no projection is needed."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class LayerNorm(Module):
    """Normalise each sample over its last axis: (x - mean) / sqrt(var + eps) * weight + bias,
    var biased (divided by n), as torch.nn.LayerNorm(normalized_shape) with one int.

    >>> norm = LayerNorm(4)
    >>> norm(Tensor([[1.0, 2.0, 3.0, 4.0]])).data.round(3)
    array([[-1.342, -0.447,  0.447,  1.342]])
    """

    def __init__(self, normalized_shape: int, eps: float = 1e-5,
                 elementwise_affine: bool = True) -> None:
        super().__init__()
        if isinstance(normalized_shape, (tuple, list)) and len(normalized_shape) == 1:
            normalized_shape = normalized_shape[0]
        elif isinstance(normalized_shape, (tuple, list)):
            raise NotAnIntError(f"LayerNorm: normalized_shape must be an int (the size of the "
                                f"last axis; normalising over several axes is not supported), "
                                f"got {normalized_shape!r}")
        normalized_shape = check_size("LayerNorm", "normalized_shape", normalized_shape)
        self.normalized_shape, self.eps = normalized_shape, eps
        self.weight = self.bias = None
        if elementwise_affine:
            self.weight = Parameter(np.ones(normalized_shape))
            self.bias = Parameter(np.zeros(normalized_shape))

    def forward(self, x: Tensor) -> Tensor:
        _check_features("LayerNorm", x, self.normalized_shape)
        if self.normalized_shape == 0:  # nothing to normalise: an empty result, as PyTorch's
            return x * 1.0
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        out = centred / (variance + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight + self.bias
        return out

    def extra_repr(self) -> str:
        return (f"({self.normalized_shape},), eps={self.eps}, "
                f"elementwise_affine={self.weight is not None}")


class BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share: the affine parameters, the running statistics
    (buffers, as in PyTorch) and the call of the engine's batch_norm op, which normalises and,
    in training mode, updates the running arrays in place."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, dtype=np.float64) -> None:
        super().__init__()
        num_features = check_size(type(self).__name__, "num_features", num_features)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = self.bias = None
        if affine:
            self.weight = Parameter(Tensor(np.ones(num_features), dtype=dtype))
            self.bias = Parameter(Tensor(np.zeros(num_features), dtype=dtype))
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def _normalise(self, x: Tensor) -> Tensor:
        check_features_to_normalise(type(self).__name__, self.num_features)
        out = batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                         training=self.training, momentum=self.momentum, eps=self.eps)
        if self.training:
            self._count_batch()
        return out

    @rerun_on_replay  # a counter outside the ops: a jitted step counts its replayed batches too
    def _count_batch(self) -> None:
        self.num_batches_tracked = self.num_batches_tracked + 1

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.weight is not None}")


class BatchNorm1d(BatchNorm):
    """Normalise each feature over the batch, as torch.nn.BatchNorm1d on (N, C) input.

    In training mode: batch mean and biased batch variance normalise; the running statistics
    move towards the batch's, `running = (1 - momentum) * running + momentum * batch`, with the
    *unbiased* variance (n / (n - 1) times the biased one), as in PyTorch. In eval mode the
    running statistics normalise instead, so one sample's output does not depend on others.
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 2:
            raise ValueError(f"BatchNorm1d: expected input of shape (N, {self.num_features}), "
                             f"got shape {x.shape}")
        _check_features("BatchNorm1d", x, self.num_features)
        check_features_to_normalise("BatchNorm1d", self.num_features)
        if self.training and x.shape[0] < 2:
            raise ValueError(f"BatchNorm1d: training needs more than 1 sample per feature to "
                             f"compute a variance, got shape {x.shape}")
        return self._normalise(x)
