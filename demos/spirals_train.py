"""The networks and the training loop of seed 004's spirals experiment, on the engine and nets.

`SpiralNet(depth, residual=False, seed=s)` is the network of the seed's
`train_plain_network(..., depth, seed=s)` weight for weight: `depth` Linear layers, He init
drawn from numpy's RandomState(seed) in the seed's order and layout (W as (fan_in, fan_out),
stored transposed here), zero biases; ReLU after every layer but the last, whose output is a
logit. `residual=True` keeps the same draws and turns every hidden layer but the first (which
changes the width from 2 to 32) into x + relu(W x + b), its weights scaled by
1 / sqrt(number of residual layers), seed 000's recipe. Without that scaling the residual
activations double layer after layer and training diverges at depth 16 and 32.

`train(...)` is the seed's loop: full-batch gradient descent on the mean binary cross-entropy
(its gradient is (sigmoid(logit) - y) / N, as in the seed), here optionally with momentum.
"""
from __future__ import annotations

import math
import time
from typing import Optional

import numpy as np

from nets import Linear, Module, ModuleList, ReLU, Sequential
from nets.losses import binary_cross_entropy_with_logits
from nets.mlp import PlainLayer, ResidualLayer
from nets.optim import SGD
from tinygrad_res import Tensor


class SpiralNet(Module):
    """x (N, 2) -> logit (N, 1) through `depth` Linear layers of width `width`."""

    def __init__(self, depth: int, width: int = 32, residual: bool = False, seed: int = 0,
                 branch_scale: Optional[float] = None) -> None:
        super().__init__()
        if depth < 3:
            raise ValueError(f"SpiralNet: depth must be at least 3 (input, hidden, output "
                             f"layers), got {depth}")
        self.depth, self.residual = depth, residual
        hidden = ResidualLayer if residual else PlainLayer
        self.input = Sequential(Linear(2, width), ReLU())
        self.hidden = ModuleList(hidden(width) for _ in range(depth - 2))
        self.output = Linear(width, 1)
        if branch_scale is None:
            branch_scale = 1.0 / math.sqrt(depth - 2) if residual else 1.0
        self._seed_init(seed, branch_scale)

    def _seed_init(self, seed: int, branch_scale: float) -> None:
        """The seed's draws: rng.randn(fan_in, fan_out) * sqrt(2 / fan_in), layer by layer."""
        rng = np.random.RandomState(seed)
        linears = [self.input[0]] + [layer.linear for layer in self.hidden] + [self.output]
        for i, layer in enumerate(linears):
            fan_out, fan_in = layer.weight.shape
            weight = rng.randn(fan_in, fan_out) * math.sqrt(2.0 / fan_in)
            if self.residual and 0 < i < len(linears) - 1:
                weight = weight * branch_scale
            layer.weight.data = weight.T.copy()
            layer.bias.data = np.zeros(fan_out)

    def forward(self, x: Tensor) -> Tensor:
        x = self.input(x)
        for layer in self.hidden:
            x = layer(x)
        return self.output(x)


def train(X: np.ndarray, y: np.ndarray, depth: int, residual: bool, seed: int, lr: float,
          momentum: float, steps: int, width: int = 32,
          branch_scale: Optional[float] = None) -> dict:
    """Train one SpiralNet full-batch; the loss before each step (as the seed records it),
    and whether it diverged (a non-finite loss stops the run)."""
    start = time.process_time()
    model = SpiralNet(depth, width, residual, seed, branch_scale)
    optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
    inputs, targets = Tensor(X), Tensor(np.asarray(y, dtype=np.float64).reshape(-1, 1))
    losses, diverged = [], False
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected, not warned
        for _ in range(steps):
            loss = binary_cross_entropy_with_logits(model(inputs), targets)
            if not math.isfinite(loss.item()):
                diverged = True
                break
            losses.append(loss.item())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return {"depth": depth, "residual": residual, "seed": seed, "losses": losses,
            "final": float("nan") if diverged else losses[-1], "diverged": diverged,
            "cpu_seconds": time.process_time() - start}
