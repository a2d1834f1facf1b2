"""Hand-written forward and backward of each residual block of nets/blocks.py, in numpy.

Each `*_forward(p, x, ...)` returns (out, cache) and each `*_backward(p, cache, grad_out,
grads)` fills `grads` (keyed like `p`: "fc1.weight", ...) and returns dL/dx. The skip path's
gradient is written where it joins: it is added to the branch's gradient of x, untouched when
the shortcut is the identity, through W_s^T when it is a projection.

`norm` is "layer", "batch" or None as in the blocks; `training` and `running` (norm name ->
(running_mean, running_var)) matter only for batch norm.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .manual_layers import (linear_backward, linear_forward, norm_backward, norm_forward,
                            relu_backward, sigmoid)


class _Norms:
    """Runs the block's norms by name, remembering each cache for the backward pass."""

    def __init__(self, p: dict, norm: Optional[str], training: bool, running: Optional[dict]):
        self.p, self.kind, self.training, self.running = p, norm, training, running or {}
        self.caches = {}

    def forward(self, name: str, h: np.ndarray) -> np.ndarray:
        out, self.caches[name] = norm_forward(self.kind, self.p, name, h, self.training,
                                              self.running.get(name))
        return out

    def backward(self, name: str, grad_out: np.ndarray, grads: dict) -> np.ndarray:
        return norm_backward(self.kind, self.p, name, self.caches[name], grad_out, grads)


def _shortcut_forward(p: dict, x: np.ndarray) -> np.ndarray:
    return linear_forward(p, "shortcut", x) if "shortcut.weight" in p else x


def _shortcut_backward(p: dict, x: np.ndarray, grad_out: np.ndarray, grads: dict):
    if "shortcut.weight" in p:
        return linear_backward(p, "shortcut", x, grad_out, grads)
    return grad_out  # identity: d(x)/dx = I, the gradient passes unchanged


def postact_forward(p: dict, x: np.ndarray, norm: Optional[str] = "layer",
                    training: bool = True, running: Optional[dict] = None):
    """relu(norm2(fc2(relu(norm1(fc1(x))))) + shortcut(x))"""
    norms = _Norms(p, norm, training, running)
    z1 = norms.forward("norm1", linear_forward(p, "fc1", x))
    a1 = np.maximum(z1, 0.0)
    h2 = norms.forward("norm2", linear_forward(p, "fc2", a1))
    total = h2 + _shortcut_forward(p, x)
    return np.maximum(total, 0.0), (x, z1, a1, total, norms)


def postact_backward(p: dict, cache, grad_out: np.ndarray, grads: dict) -> np.ndarray:
    x, z1, a1, total, norms = cache
    grad_total = relu_backward(total, grad_out)  # the final relu gates branch AND skip
    grad_a1 = linear_backward(p, "fc2", a1, norms.backward("norm2", grad_total, grads), grads)
    grad_h1 = norms.backward("norm1", relu_backward(z1, grad_a1), grads)
    grad_x_branch = linear_backward(p, "fc1", x, grad_h1, grads)
    return grad_x_branch + _shortcut_backward(p, x, grad_total, grads)


def preact_forward(p: dict, x: np.ndarray, norm: Optional[str] = "layer",
                   training: bool = True, running: Optional[dict] = None):
    """fc2(relu(norm2(fc1(relu(norm1(x)))))) + shortcut(x)"""
    norms = _Norms(p, norm, training, running)
    n1 = norms.forward("norm1", x)
    a1 = np.maximum(n1, 0.0)
    h1 = linear_forward(p, "fc1", a1)
    n2 = norms.forward("norm2", h1)
    a2 = np.maximum(n2, 0.0)
    out = linear_forward(p, "fc2", a2) + _shortcut_forward(p, x)
    return out, (x, n1, a1, n2, a2, norms)


def preact_backward(p: dict, cache, grad_out: np.ndarray, grads: dict) -> np.ndarray:
    x, n1, a1, n2, a2, norms = cache
    grad_a2 = linear_backward(p, "fc2", a2, grad_out, grads)
    grad_h1 = norms.backward("norm2", relu_backward(n2, grad_a2), grads)
    grad_a1 = linear_backward(p, "fc1", a1, grad_h1, grads)
    grad_x_branch = norms.backward("norm1", relu_backward(n1, grad_a1), grads)
    return grad_x_branch + _shortcut_backward(p, x, grad_out, grads)  # clean skip: + grad_out


def bottleneck_forward(p: dict, x: np.ndarray, norm: Optional[str] = "layer",
                       training: bool = True, running: Optional[dict] = None):
    """relu(norm3(expand(relu(norm2(process(relu(norm1(reduce(x)))))))) + shortcut(x))"""
    norms = _Norms(p, norm, training, running)
    z1 = norms.forward("norm1", linear_forward(p, "reduce", x))
    a1 = np.maximum(z1, 0.0)
    z2 = norms.forward("norm2", linear_forward(p, "process", a1))
    a2 = np.maximum(z2, 0.0)
    h3 = norms.forward("norm3", linear_forward(p, "expand", a2))
    total = h3 + _shortcut_forward(p, x)
    return np.maximum(total, 0.0), (x, z1, a1, z2, a2, total, norms)


def bottleneck_backward(p: dict, cache, grad_out: np.ndarray, grads: dict) -> np.ndarray:
    x, z1, a1, z2, a2, total, norms = cache
    grad_total = relu_backward(total, grad_out)
    grad_a2 = linear_backward(p, "expand", a2, norms.backward("norm3", grad_total, grads),
                              grads)
    grad_a1 = linear_backward(p, "process", a1,
                              norms.backward("norm2", relu_backward(z2, grad_a2), grads), grads)
    grad_x_branch = linear_backward(p, "reduce", x,
                                    norms.backward("norm1", relu_backward(z1, grad_a1), grads),
                                    grads)
    return grad_x_branch + _shortcut_backward(p, x, grad_total, grads)


def highway_forward(p: dict, x: np.ndarray, norm: Optional[str] = None,
                    training: bool = True, running: Optional[dict] = None):
    """T * H + (1 - T) * x with H = relu(hidden(x)), T = sigmoid(gate(x)). (`norm`,
    `training`, `running` are accepted for a uniform signature; a highway layer has no norm.)"""
    z_hidden = linear_forward(p, "hidden", x)
    transform = np.maximum(z_hidden, 0.0)
    gate = sigmoid(linear_forward(p, "gate", x))
    return gate * transform + (1 - gate) * x, (x, z_hidden, transform, gate)


def highway_backward(p: dict, cache, grad_out: np.ndarray, grads: dict) -> np.ndarray:
    x, z_hidden, transform, gate = cache
    grad_gate = grad_out * (transform - x)           # d/dT of T H + (1 - T) x
    grad_z_gate = grad_gate * gate * (1 - gate)      # sigmoid' = T (1 - T)
    grad_z_hidden = relu_backward(z_hidden, grad_out * gate)
    grad_x = grad_out * (1 - gate)                   # the carry path
    grad_x = grad_x + linear_backward(p, "hidden", x, grad_z_hidden, grads)
    return grad_x + linear_backward(p, "gate", x, grad_z_gate, grads)


BLOCK_FUNCTIONS = {
    "PostActBlock": (postact_forward, postact_backward),
    "PreActBlock": (preact_forward, preact_backward),
    "BottleneckBlock": (bottleneck_forward, bottleneck_backward),
    "HighwayLayer": (highway_forward, highway_backward),
}
