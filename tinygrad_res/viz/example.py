"""A tiny residual MLP built from engine ops only, to have something to look at.

(The engine cannot import `nets`; nets' ResMLP computes the same thing with Modules.)
"""
from __future__ import annotations

import numpy as np

from ..functional import linear
from ..tensor import Tensor
from .scope import scope


def residual_mlp_example(blocks: int = 2, width: int = 3, batch: int = 2, seed: int = 1) -> Tensor:
    """Loss of a `blocks`-block residual MLP: h_k = h_{k-1} + relu(linear(h_{k-1})), MSE loss.

    Every tensor is named (x, W1, b1, z1, F1, h1, ...) and each block runs in `viz.scope`, so
    drawings label nodes and box the blocks. x asks for a gradient so that the full
    "skip highway" down to the input is visible.

    >>> loss = residual_mlp_example()
    >>> [t.op for t in (loss, *loss.parents)]
    ['mean', 'pow']
    """
    if blocks < 1 or width < 1 or batch < 1:
        raise ValueError(f"residual_mlp_example: blocks, width and batch must be >= 1, got "
                         f"{blocks}, {width}, {batch}")
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((batch, width)), requires_grad=True, name="x")
    target = Tensor(rng.standard_normal((batch, width)), name="target")
    h = x
    for k in range(1, blocks + 1):
        weight = Tensor(rng.standard_normal((width, width)) / np.sqrt(width),
                        requires_grad=True, name=f"W{k}")
        bias = Tensor(0.1 * rng.standard_normal(width), requires_grad=True, name=f"b{k}")
        with scope(f"block{k}"):
            z = linear(h, weight, bias)
            z.name = f"z{k}"
            f = z.relu()
            f.name = f"F{k}"
            h = h + f  # the skip connection: h_k = h_{k-1} + F(h_{k-1})
            h.name = f"h{k}"
    with scope("loss"):
        diff = h - target
        diff.name = "diff"
        squared = diff ** 2
        squared.name = "sq"
        loss = squared.mean()
        loss.name = "loss"
    return loss
