"""Seed 000's hand-written backprop for PlainMLP and ResMLP, vectorised over a batch.

The same algorithm as the seed's `forward_pass` / `backward_pass` (lists of floats, one sample),
with a batch of rows instead of one vector: rows of x are samples, and the MSE loss averages
over every entry (the mean over samples of each sample's mean squared error).
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

from .manual_layers import mse_forward_backward


def _float_array(a) -> np.ndarray:
    """float32 stays float32 (as in the engine); anything else becomes float64."""
    a = np.asarray(a)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)


def mlp_forward(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], x: np.ndarray,
                residual: bool) -> Tuple[list, list]:
    """(pre_activations, activations): activations[0] is x, activations[i + 1] the output of
    layer i, pre_activations[i] = activations[i] W_i^T + b_i."""
    activations, pre_activations = [_float_array(x)], []
    for weight, bias in zip(weights, biases):
        # BEGIN TASK 4.2
        previous = activations[-1]
        pre = previous @ weight.T + bias
        post = np.maximum(pre, 0.0)
        if residual:
            post = post + previous  # the express elevator: the input rides along unchanged
        pre_activations.append(pre)
        activations.append(post)
        # END TASK 4.2
    return pre_activations, activations


def mlp_backward(weights: Sequence[np.ndarray], pre_activations: list, activations: list,
                 delta: np.ndarray, residual: bool) -> Tuple[List[np.ndarray], np.ndarray]:
    """Walk back from `delta` = dL/d(output): (grads [dW_1, db_1, ...], dL/dx)."""
    grads = []
    for layer in range(len(weights) - 1, -1, -1):
        # BEGIN TASK 4.2
        d_pre = delta * (pre_activations[layer] > 0.0)
        grads.append(d_pre.sum(axis=0))                     # d bias
        grads.append(d_pre.T @ activations[layer])           # d weight
        new_delta = d_pre @ weights[layer]
        if residual:
            new_delta = new_delta + delta  # the skip hands the gradient back untouched
        delta = new_delta
        # END TASK 4.2
    grads.reverse()
    return grads, delta


def mlp_loss_and_grads(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                       x: np.ndarray, target: np.ndarray, residual: bool) -> Tuple[float, list]:
    """MSE loss of the network on (x, target) and its gradients [dW_1, db_1, dW_2, ...], the
    order of `PlainMLP.parameters()`.

    >>> x = np.array([[1.0, -1.0]])
    >>> loss, grads = mlp_loss_and_grads([np.eye(2)], [np.zeros(2)], x, x, residual=False)
    >>> loss                       # relu([1, -1]) = [1, 0]: the second entry is missed by 1
    0.5
    """
    pre_activations, activations = mlp_forward(weights, biases, x, residual)
    loss, delta = mse_forward_backward(activations[-1], _float_array(target))
    grads, _ = mlp_backward(weights, pre_activations, activations, delta, residual)
    return loss, grads
