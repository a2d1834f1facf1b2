"""The measurements of demos/ensembles.py on a trained nets.resnet.ResNet (BasicBlock, v1):
the network run with blocks deleted, and with the backward pass routed along one path.

A BasicBlock computes relu(branch(x) + shortcut(x)), branch = bn2(conv2(relu(bn1(conv1(x))))).
Routing keeps every forward value and detaches one of the two summands, so the gradient
reaches x through the other one only. The final ReLU stays on both: it acts on the sum.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from nets.layers import Identity
from tinygrad_res import Tensor, grad, no_grad


def deletable(block) -> Optional[str]:
    """What a deleted block leaves: "identity", "projection" (a residual block that changes the
    shape keeps its 1x1 shortcut), or None (a plain block that changes the shape)."""
    if block.shortcut is None:
        keeps_shape = block.conv1.stride == (1, 1) and \
            block.conv1.in_channels == block.conv2.out_channels
        return "identity" if keeps_shape else None
    return "identity" if isinstance(block.shortcut, Identity) else "projection"


def branch(block, x: Tensor) -> Tensor:
    return block.bn2(block.conv2(block.bn1(block.conv1(x)).relu()))


def forward(model, x: Tensor, deleted=frozenset()) -> Tensor:
    """The network's logits with the blocks in `deleted` replaced by what they leave."""
    h = model.stem(x)
    for i, block in enumerate(model.blocks):
        if i not in deleted:
            h = block(h)
        elif block.shortcut is not None:
            h = block.shortcut(h)
    return model.fc(model.pool(model.head(h)))


def error(model, x: np.ndarray, y: np.ndarray, deleted=frozenset()) -> float:
    """Test error in percent with `deleted` blocks deleted (eval mode)."""
    with no_grad():
        logits = forward(model, Tensor(x), deleted)
    return 100.0 * float((logits.data.argmax(axis=1) != y).mean())


def lesion_errors(model, x: np.ndarray, y: np.ndarray) -> dict:
    """The error intact, and with each block deleted in turn (None where it cannot be)."""
    kinds = [deletable(block) for block in model.blocks]
    return {"intact": error(model, x, y), "kinds": kinds,
            "deleted": [None if kind is None else error(model, x, y, {i})
                        for i, kind in enumerate(kinds)]}


def random_lesions(model, x: np.ndarray, y: np.ndarray, draws: int, rng) -> dict:
    """Mean and spread of the error with k random identity blocks deleted, k = 1, 2, ..."""
    candidates = [i for i, b in enumerate(model.blocks) if deletable(b) == "identity"]
    out = {"k": [], "mean": [], "min": [], "max": []}
    for k in range(1, len(candidates) + 1):
        errors = [error(model, x, y, set(rng.choice(candidates, size=k, replace=False)))
                  for _ in range(draws)]
        out["k"].append(k)
        out["mean"].append(float(np.mean(errors)))
        out["min"].append(float(np.min(errors)))
        out["max"].append(float(np.max(errors)))
    return out


def path_gradient(model, x: np.ndarray, y: np.ndarray, route: Optional[set]) -> np.ndarray:
    """dL/d(input of the first block) along the path that takes the branches in `route` (all
    paths at once for None). The network is linear in its input around the forward point (its
    ReLU masks and eval-mode batch norms fixed), so the 2^n paths' gradients add up to the full
    gradient: the "unraveled view" of Veit et al."""
    from nets.losses import cross_entropy
    with no_grad():  # the stem is shared by every path: the paths start at its output
        start = Tensor(model.stem(Tensor(x)).data, requires_grad=True)
    h = start
    for i, block in enumerate(model.blocks):
        if route is None:
            h = block(h)
            continue
        f, skip = branch(block, h), block.shortcut(h)
        h = (f + skip.detach() if i in route else f.detach() + skip).relu()
    loss = cross_entropy(model.fc(model.pool(model.head(h))), y)
    return grad(loss, [start])[0]


def gradient_by_length(model, x: np.ndarray, y: np.ndarray, samples: int, rng) -> dict:
    """Per path length k = 0..n: the mean gradient of `samples` random paths (every path when
    there are fewer), the number of paths C(n, k), and their product, the total per length."""
    n = len(model.blocks)
    mean, spread = [], []
    for k in range(n + 1):
        count = math.comb(n, k)
        routes = ([set(c) for c in _all_subsets(n, k)] if count <= samples else
                  [set(rng.choice(n, size=k, replace=False).tolist()) for _ in range(samples)])
        values = [float(np.linalg.norm(path_gradient(model, x, y, route))) for route in routes]
        mean.append(float(np.mean(values)))
        spread.append([float(np.min(values)), float(np.max(values))])
    counts = [math.comb(n, k) for k in range(n + 1)]
    total = [c * m for c, m in zip(counts, mean)]
    short = sum(t for k, t in enumerate(total) if k < n / 2)
    return {"lengths": list(range(n + 1)), "mean_gradient": mean, "range": spread,
            "paths": counts, "total": total, "peak_length": int(np.argmax(total)),
            "short_share": short / sum(total), "mean_length": n / 2}


def _all_subsets(n: int, k: int):
    from itertools import combinations
    return combinations(range(n), k)
