"""Seed 000's training, twice: by the engine's autodiff and by nets/manual.py's hand-written
backprop. Used by demos/depth_sweep.py; no printing here.

One epoch is one pass over the data, one sample at a time: forward, MSE loss, backward, then
the SGD update w = w - lr * grad. The gradient is taken at the weights before the update, and
the epoch's loss is the mean of the per-sample losses seen during it, as in the seed's `train`.

    >>> cell = Cell("residual", depth=5, epochs=3)
    >>> run_cell(cell, nets.data.identity_data(), "autodiff")["curve"]       # 3 epoch losses
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable, List, Optional

import numpy as np

import nets
import tinygrad_res
from nets.losses import mse_loss
from nets.manual import mlp_loss_and_grads
from tinygrad_res import Tensor

FAMILIES = ("plain", "residual")
METHODS = ("autodiff", "manual")


@dataclass(frozen=True)
class Cell:
    """One training run of the sweep: a family at a depth, with its optimiser settings.

    `clip` (None: off) rescales the whole gradient to norm `clip` when it is longer, as
    torch.nn.utils.clip_grad_norm_ does (one of the ways to make a diverging net train).
    """
    family: str
    depth: int
    epochs: int
    lr: float = 0.01
    width: int = 8
    network_seed: int = 13
    clip: Optional[float] = None

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"depth_sweep: family must be one of {FAMILIES}, "
                             f"got {self.family!r}")
        if self.depth < 1 or self.epochs < 1 or self.width < 1:
            raise ValueError(f"depth_sweep: depth, epochs and width must be at least 1, got "
                             f"depth={self.depth}, epochs={self.epochs}, width={self.width}")


def clip_factor(grads: List[np.ndarray], max_norm: Optional[float]) -> float:
    """The factor clip_grad_norm_ multiplies every gradient by: min(1, max_norm / (norm +
    1e-6)), where norm is the L2 norm of all gradients together (1.0 when max_norm is None).

    >>> clip_factor([np.array([3.0, 4.0])], max_norm=1.0)      # norm 5 -> scaled to 1
    0.199999960000008
    """
    if max_norm is None:
        return 1.0
    # BEGIN TASK 5.3
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    return min(1.0, max_norm / (norm + 1e-6))
    # END TASK 5.3


class _Curve:
    """Epoch losses, and where the run diverged (the first sample whose loss, or whose
    updated weights, are not finite: an overflow), if it did."""

    def __init__(self) -> None:
        self.losses: List[float] = []
        self.divergence: Optional[dict] = None
        self._epoch_losses: List[float] = []

    def add_sample(self, loss: float, weights_finite: bool) -> bool:
        """Record one sample's loss; False once the run has diverged."""
        self._epoch_losses.append(loss)
        if math.isfinite(loss) and weights_finite:
            return True
        self.divergence = {"epoch": len(self.losses) + 1, "sample": len(self._epoch_losses),
                           "sample_losses": self._epoch_losses[-4:]}
        return False

    def end_epoch(self) -> None:
        self.losses.append(sum(self._epoch_losses) / len(self._epoch_losses))
        self._epoch_losses = []


def _all_finite(arrays) -> bool:
    return all(np.isfinite(a).all() for a in arrays)


def identity_step(model, optimizer, x: Tensor) -> Tensor:
    """The gradients of one step of the identity task (seed 000's and 001's): the MSE loss of
    model(x) against x itself, with the optimizer's gradients zeroed first, then backward.
    Returns the loss; the update (optimizer.step()) is the caller's, after any clipping.
    demos/distant_identity.py and bench/ train with it too."""
    # BEGIN TASK 5.2
    loss = mse_loss(model(x), x)  # the target is the input: the identity task
    optimizer.zero_grad()
    loss.backward()
    # END TASK 5.2
    return loss


def train_autodiff(cell: Cell, data: np.ndarray,
                   on_epoch: Optional[Callable[[], None]] = None) -> _Curve:
    """Train seed 000's network for `cell` with the engine: loss.backward(), then SGD.

    Without clipping the step runs under tinygrad_res.jit: recorded on the first two samples,
    replayed on the others, with the same numbers bit for bit (README: Replay mode). Clipping
    reads the gradients in Python between backward and the update, so that step stays eager."""
    model = nets.seed000_network(cell.depth, cell.family == "residual", cell.width,
                                 cell.network_seed)
    params = list(model.parameters())
    optimizer = nets.optim.SGD(params, lr=cell.lr)

    def step(x: Tensor) -> Tensor:
        loss = identity_step(model, optimizer, x)
        if cell.clip is not None:
            factor = clip_factor([p.grad for p in params], cell.clip)
            if factor != 1.0:
                for p in params:
                    p.grad = p.grad * factor
        optimizer.step()
        return loss

    train_step = step if cell.clip is not None else tinygrad_res.jit(step)
    curve = _Curve()
    for _ in range(cell.epochs):
        for row in data:
            loss = train_step(Tensor(row[None, :]))
            if not curve.add_sample(loss.item(), _all_finite(p.data for p in params)):
                return curve
        curve.end_epoch()
        if on_epoch is not None:
            on_epoch()
    return curve


def train_manual(cell: Cell, data: np.ndarray,
                 on_epoch: Optional[Callable[[], None]] = None) -> _Curve:
    """The same training with nets/manual.py's hand-written numpy backprop (no autodiff)."""
    model = nets.seed000_network(cell.depth, cell.family == "residual", cell.width,
                                 cell.network_seed)
    # the update is nets.optim.SGD's (task 5.1) on the hand-computed gradients: the same rule
    # as the autodiff run, written once
    params = [Tensor(p.data.copy(), requires_grad=True) for p in model.parameters()]
    weights, biases = [p.data for p in params[0::2]], [p.data for p in params[1::2]]
    optimizer = nets.optim.SGD(params, lr=cell.lr)
    curve = _Curve()
    for _ in range(cell.epochs):
        for row in data:
            x = row[None, :]
            loss, grads = mlp_loss_and_grads(weights, biases, x, x,
                                             residual=cell.family == "residual")
            factor = clip_factor(grads, cell.clip)
            for p, grad in zip(params, grads):  # grads are [dW_1, db_1, dW_2, db_2, ...]
                p.grad = grad if factor == 1.0 else grad * factor
            optimizer.step()
            if not curve.add_sample(float(loss), _all_finite(weights + biases)):
                return curve
        curve.end_epoch()
        if on_epoch is not None:
            on_epoch()
    return curve


def run_cell(cell: Cell, data: np.ndarray, method: str,
             on_epoch: Optional[Callable[[], None]] = None) -> dict:
    """Train one cell by `method` ("autodiff" or "manual"): a JSON-able dict with the cell's
    settings, the loss curve, the final loss (NaN if it diverged) and the divergence record."""
    if method not in METHODS:
        raise ValueError(f"depth_sweep: method must be one of {METHODS}, got {method!r}")
    train = train_autodiff if method == "autodiff" else train_manual
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected, not warned
        curve = train(cell, data, on_epoch)
    final = curve.losses[-1] if curve.divergence is None else math.nan
    return dict(asdict(cell), method=method, curve=curve.losses, final=final,
                diverged=curve.divergence)


def max_curve_difference(a: dict, b: dict) -> float:
    """Largest |difference| between two runs' epoch losses, over the epochs both finished;
    infinite if only one of them diverged or they diverged at different samples."""
    if (a["diverged"] is None) != (b["diverged"] is None):
        return math.inf
    if a["diverged"] is not None and (a["diverged"]["epoch"], a["diverged"]["sample"]) != \
            (b["diverged"]["epoch"], b["diverged"]["sample"]):
        return math.inf
    pairs = list(zip(a["curve"], b["curve"]))
    return max((abs(x - y) for x, y in pairs), default=0.0)
