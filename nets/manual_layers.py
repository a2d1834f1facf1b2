"""Hand-written forward and backward of the pieces the blocks are made of, in plain numpy.

No engine here: each backward is the chain rule written out, the independent reference that
autodiff is checked against (tests/test_nets_manual.py). Shapes: x is (batch, features); a
weight is (out, in) as in nets.Linear. `p` is a dict of parameter arrays keyed by the names
`named_parameters()` gives ("fc1.weight", ...), and grads come back in a dict with the same keys.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

EPS = 1e-5  # LayerNorm's and BatchNorm1d's default eps


def linear_forward(p: dict, name: str, x: np.ndarray) -> np.ndarray:
    """z = x W^T + b"""
    return x @ p[f"{name}.weight"].T + p[f"{name}.bias"]


def linear_backward(p: dict, name: str, x: np.ndarray, grad_z: np.ndarray, grads: dict):
    """dL/dW = g^T x, dL/db = sum of g over the batch, dL/dx = g W (returned)."""
    grads[f"{name}.weight"] = grad_z.T @ x
    grads[f"{name}.bias"] = grad_z.sum(axis=0)
    return grad_z @ p[f"{name}.weight"]


def relu_backward(z: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 where z > 0, else 0 (0 at z = 0, as the engine and seed 000)."""
    return grad_out * (z > 0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def norm_forward(kind: Optional[str], p: dict, name: str, h: np.ndarray,
                 training: bool = True, running: Optional[tuple] = None):
    """LayerNorm ("layer"), BatchNorm1d ("batch") or nothing (None): (out, cache).

    Both norms compute xhat = (h - mean) / sqrt(var + eps), over the features of each sample
    (layer) or over the batch for each feature (batch), then out = xhat * weight + bias.
    In eval mode batch norm uses the `running` (mean, var) instead of the batch's.
    """
    if kind is None:
        return h, None
    if kind == "batch" and not training:
        mean, var = running
        scale = np.sqrt(var + EPS)
        xhat = (h - mean) / scale
        return xhat * p[f"{name}.weight"] + p[f"{name}.bias"], (xhat, scale, None)
    axis = -1 if kind == "layer" else 0
    centred = h - h.mean(axis=axis, keepdims=True)
    scale = np.sqrt((centred ** 2).mean(axis=axis, keepdims=True) + EPS)
    xhat = centred / scale
    return xhat * p[f"{name}.weight"] + p[f"{name}.bias"], (xhat, scale, axis)


def norm_backward(kind: Optional[str], p: dict, name: str, cache, grad_out: np.ndarray,
                  grads: dict) -> np.ndarray:
    """Backward of norm_forward. With statistics from the input itself (axis not None):

        dL/dh = (g_hat - mean(g_hat) - xhat * mean(g_hat * xhat)) / sqrt(var + eps)

    where g_hat = dL/dxhat = grad_out * weight and the means run over the normalised axis:
    the two subtracted terms are the paths through the mean and through the variance.
    """
    if kind is None:
        return grad_out
    xhat, scale, axis = cache
    grads[f"{name}.weight"] = (grad_out * xhat).sum(axis=0)
    grads[f"{name}.bias"] = grad_out.sum(axis=0)
    grad_xhat = grad_out * p[f"{name}.weight"]
    if axis is None:  # eval-mode batch norm: a fixed affine map
        return grad_xhat / scale
    return (grad_xhat - grad_xhat.mean(axis=axis, keepdims=True)
            - xhat * (grad_xhat * xhat).mean(axis=axis, keepdims=True)) / scale


def mse_forward_backward(out: np.ndarray, target: np.ndarray) -> tuple:
    """L = mean((out - target)^2) over every entry; dL/dout = 2 (out - target) / size."""
    diff = out - target
    return float((diff ** 2).mean()), 2.0 * diff / diff.size
