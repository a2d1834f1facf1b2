"""Hand-written numpy backprop for every network of nets: the reference autodiff must match.

    >>> import numpy as np, nets
    >>> model = nets.ResMLP(depth=3, width=4, seed=0)
    >>> x = np.random.default_rng(0).standard_normal((5, 4))
    >>> loss, grads = loss_and_grads(model, x, x)      # MSE loss, no engine involved
    >>> [g.shape for g in grads[:2]]                   # d loss / d each parameter, in order
    [(4, 4), (4,)]

The arithmetic lives in numpy-only modules, each readable on its own:
nets/manual_mlp.py (seed 000's algorithm for PlainMLP / ResMLP), nets/manual_blocks.py (each
residual block), nets/manual_layers.py (Linear, ReLU, LayerNorm, BatchNorm1d, MSE). This file
only reads the model's parameter arrays and settings and chains the blocks: the forward pass
through them in order, the backward pass in reverse.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

from .blocks import ResidualStack
from .layers import BatchNorm1d
from .manual_blocks import BLOCK_FUNCTIONS
from .manual_layers import mse_forward_backward
from .manual_mlp import mlp_backward, mlp_forward, mlp_loss_and_grads
from .mlp import PlainMLP, ResMLP
from .containers import Sequential
from .module import Module

__all__ = ["loss_and_grads", "mlp_loss_and_grads", "mlp_forward", "mlp_backward"]


def _blocks(model: Module) -> list:
    if isinstance(model, ResidualStack):
        return list(model.blocks)
    if isinstance(model, Sequential):
        return list(model)
    return [model]


def _block_settings(block: Module) -> tuple:
    """(forward, backward, norm kind, training, running statistics by norm name)."""
    name = type(block).__name__
    if name not in BLOCK_FUNCTIONS:
        raise TypeError(f"manual.loss_and_grads: no hand-written backward for {name}; "
                        f"known: PlainMLP, ResMLP, {', '.join(BLOCK_FUNCTIONS)}, and "
                        f"ResidualStack / Sequential of those blocks")
    running = {child_name: (child.running_mean, child.running_var)
               for child_name, child in block.named_children()
               if isinstance(child, BatchNorm1d)}
    forward, backward = BLOCK_FUNCTIONS[name]
    return forward, backward, getattr(block, "norm", None), block.training, running


def loss_and_grads(model: Module, x: np.ndarray, target: np.ndarray) -> Tuple[float, List]:
    """MSE loss of `model` on (x, target), and its gradients in `model.parameters()` order,
    all computed by the hand-written numpy code. Batch norms use batch statistics in
    training mode (without updating the running ones) and running statistics in eval mode."""
    x = np.asarray(getattr(x, "data", x), dtype=np.float64)
    target = np.asarray(getattr(target, "data", target), dtype=np.float64)
    if isinstance(model, (PlainMLP, ResMLP)):
        linears = model.linears()
        return mlp_loss_and_grads([layer.weight.data for layer in linears],
                                  [layer.bias.data for layer in linears], x, target,
                                  residual=isinstance(model, ResMLP))
    blocks = _blocks(model)
    settings = [_block_settings(block) for block in blocks]
    params = [{name: param.data for name, param in block.named_parameters()}
              for block in blocks]
    caches, out = [], x
    for (forward, _, norm, training, running), p in zip(settings, params):
        out, cache = forward(p, out, norm, training, running)
        caches.append(cache)
    loss, grad = mse_forward_backward(out, target)
    block_grads = [dict() for _ in blocks]
    for i in reversed(range(len(blocks))):
        backward = settings[i][1]
        grad = backward(params[i], caches[i], grad, block_grads[i])
    return loss, _in_parameter_order(model, blocks, block_grads)


def _in_parameter_order(model: Module, blocks: list, block_grads: list) -> list:
    by_param = {}
    for block, grads in zip(blocks, block_grads):
        for name, param in block.named_parameters():
            by_param[id(param)] = grads[name]
    return [by_param[id(param)] for param in model.parameters()]
