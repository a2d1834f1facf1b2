"""One ResMLP trained three ways: the engine (nets), hand-written numpy, PyTorch.

Each `*_trainer` starts from the same weights and returns a `Trainer`: `train()` makes one
optimizer step on each of the next `per_call` batches of its list (going round it), so that
short calls of the contenders can alternate; `parameters()` gives the arrays in
`ResMLP.parameters()` order and `last_loss()` the loss of the latest step, so the contenders can
be checked to have done the same work. The task is the seeds' identity task: the target is the
input, the loss the mean squared error.
"""
from __future__ import annotations

import itertools
import math
from typing import Callable, List, NamedTuple

import numpy as np

import nets
from demos.depth_sweep_core import identity_step
from nets.manual import mlp_loss_and_grads
from tinygrad_res import Tensor

from . import common


def take_in_turn(items: list, per_call: int) -> Callable[[], list]:
    """A function returning the next `per_call` items of `items` at each call, going round."""
    if len(items) % per_call:
        raise ValueError(f"bench: {len(items)} batches do not split into calls of {per_call}")
    calls = itertools.cycle([items[i:i + per_call] for i in range(0, len(items), per_call)])
    return lambda: next(calls)


class Trainer(NamedTuple):
    train: Callable[[], None]
    parameters: Callable[[], List[np.ndarray]]
    last_loss: Callable[[], float]


def engine_trainer(model: nets.ResMLP, batches: List[np.ndarray], optimizer: str,
                   lr: float, per_call: int) -> Trainer:
    """What a user of this project writes: a Module, an optimizer from nets.optim, backward()."""
    params = list(model.parameters())
    opt = nets.optim.SGD(params, lr=lr) if optimizer == "sgd" else nets.optim.Adam(params, lr=lr)
    next_inputs = take_in_turn([Tensor(batch) for batch in batches], per_call)
    losses = [None]

    def train() -> None:
        for x in next_inputs():
            loss = identity_step(model, opt, x)
            opt.step()
        losses[0] = loss

    return Trainer(train, lambda: [p.data for p in params], lambda: losses[0].item())


class NumpyAdam:
    """Adam written by hand in numpy, in place, with PyTorch's update rule."""

    def __init__(self, params: List[np.ndarray], lr: float, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: List[np.ndarray]) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        step_size = self.lr / (1 - beta1 ** self.t)
        root_correction = math.sqrt(1 - beta2 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            denom = np.sqrt(v)
            denom /= root_correction
            denom += self.eps
            p -= step_size * m / denom


def numpy_trainer(model: nets.ResMLP, batches: List[np.ndarray], optimizer: str,
                  lr: float, per_call: int) -> Trainer:
    """The project's hand-written backprop (nets/manual_mlp.py) and a hand-written update."""
    params = [p.data.copy() for p in model.parameters()]  # weight, bias, weight, bias, ...
    weights, biases = params[0::2], params[1::2]
    adam = NumpyAdam(params, lr) if optimizer == "adam" else None
    next_batches = take_in_turn(batches, per_call)
    losses = [None]

    def train() -> None:
        for x in next_batches():
            losses[0], grads = mlp_loss_and_grads(weights, biases, x, x, residual=True)
            if adam is not None:
                adam.step(grads)
            else:
                for p, g in zip(params, grads):
                    p -= lr * g

    return Trainer(train, lambda: params, lambda: losses[0])


def torch_trainer(torch, model: nets.ResMLP, batches: List[np.ndarray], optimizer: str,
                  lr: float, per_call: int) -> Trainer:
    """The same network as torch.nn.Linear layers, torch.optim and F.mse_loss (eager mode)."""
    dtype = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}
    linears = []
    for layer in model.linears():
        linear = torch.nn.Linear(model.width, model.width, dtype=dtype[layer.weight.dtype])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weight.data))
            linear.bias.copy_(torch.from_numpy(layer.bias.data))
        linears.append(linear)
    layers = torch.nn.ModuleList(linears)
    params = list(layers.parameters())
    opt = (torch.optim.SGD(params, lr=lr) if optimizer == "sgd"
           else torch.optim.Adam(params, lr=lr))
    next_inputs = take_in_turn([torch.from_numpy(batch) for batch in batches], per_call)
    relu, mse = torch.relu, torch.nn.functional.mse_loss

    def forward(x):
        for linear in layers:
            x = x + relu(linear(x))
        return x

    losses = [None]

    def train() -> None:
        for x in next_inputs():
            loss = mse(forward(x), x)
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses[0] = loss

    return Trainer(train, lambda: [p.detach().numpy() for p in params],
                   lambda: losses[0].item())


def make_trainers(model: nets.ResMLP, batches: List[np.ndarray], optimizer: str, lr: float,
                  use_torch: bool, per_call: int) -> dict:
    trainers = {"engine": engine_trainer(model, batches, optimizer, lr, per_call),
                "numpy": numpy_trainer(model, batches, optimizer, lr, per_call)}
    torch = common.load_torch() if use_torch else None
    if torch is not None:
        trainers["torch"] = torch_trainer(torch, model, batches, optimizer, lr, per_call)
    return trainers


def compare(trainers: dict, rounds: int, per_call: int, per_unit: int, param_rtol,
            loss_rtol: float, **description) -> dict:
    """Time the trainers, `per_call` steps a call, and report seconds per unit of `per_unit`
    steps; then check that they agree: parameters to `param_rtol` (None: not checked) and the
    last loss to `loss_rtol`."""
    medians = common.measure({name: t.train for name, t in trainers.items()}, rounds)
    medians = {name: seconds / per_call * per_unit for name, seconds in medians.items()}
    engine = trainers["engine"]
    others = {name: t for name, t in trainers.items() if name != "engine"}
    agreement = []
    if param_rtol is not None:
        worst = common.parameters_agree(engine.parameters(),
                                        {n: t.parameters() for n, t in others.items()},
                                        param_rtol)
        agreement.append("parameters: " + ", ".join(f"{n} {v:.0e}" for n, v in worst.items()))
    losses = {name: t.last_loss() for name, t in trainers.items()}
    for name, loss in losses.items():
        if not abs(loss - losses["engine"]) <= loss_rtol * abs(losses["engine"]):
            raise AssertionError(f"bench: last losses differ: {losses}")
    agreement.append("last loss: " + ", ".join(f"{n} {v:.6g}" for n, v in losses.items()))
    result = dict(description, rounds=rounds, medians=medians, ratios=common.ratios(medians))
    result["notes"] = result.get("notes", []) + ["contenders agree; " + "; ".join(agreement)]
    return result
