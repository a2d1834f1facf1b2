"""W0 and W1 trained through tinygrad_res.jit, beside eager mode, numpy by hand and PyTorch.

The replayed step is what a user writes (`jit_trainer`): the eager step of mlp_training.py under
`@tinygrad_res.jit`. Its contender is called "engine", so the ratios and goals read as for the
eager workloads; eager mode runs beside it as "eager", and must end bit for bit where the
replay ends (its steps are the same numpy calls), while numpy by hand and torch must agree to
`param_rtol` as in the eager workloads.
"""
from __future__ import annotations

from typing import List

import numpy as np

import nets
import tinygrad_res
from demos.depth_sweep_core import identity_step
from tinygrad_res import Tensor

from .mlp_training import Trainer, compare, engine_trainer, make_trainers, take_in_turn


def jit_trainer(model: nets.ResMLP, batches: List[np.ndarray], optimizer: str, lr: float,
                per_call: int) -> Trainer:
    """The engine's training step under `@tinygrad_res.jit`: recorded on its first two calls
    (here, during the harness's warm-up round), replayed on every later one."""
    params = list(model.parameters())
    opt = nets.optim.SGD(params, lr=lr) if optimizer == "sgd" else nets.optim.Adam(params, lr=lr)
    next_inputs = take_in_turn([Tensor(batch) for batch in batches], per_call)
    losses = [None]

    @tinygrad_res.jit
    def train_step(x):
        loss = identity_step(model, opt, x)
        opt.step()
        return loss

    def train() -> None:
        for x in next_inputs():
            losses[0] = train_step(x)

    trainer = Trainer(train, lambda: [p.data for p in params], lambda: losses[0].item())
    trainer.train.jitted = train_step
    return trainer


def compare_replay(make_model, batches: List[np.ndarray], optimizer: str, lr: float,
                   use_torch: bool, per_call: int, per_unit: int, rounds: int,
                   **description) -> dict:
    """Time the replay ("engine") against eager mode, numpy by hand and torch; check that the
    replay ends exactly where eager mode does and that it did replay."""
    trainers = make_trainers(make_model(), batches, optimizer, lr, use_torch, per_call)
    trainers["eager"] = engine_trainer(make_model(), batches, optimizer, lr, per_call)
    trainers["engine"] = jit_trainer(make_model(), batches, optimizer, lr, per_call)
    result = compare(trainers, rounds, per_call, per_unit, param_rtol=1e-9, loss_rtol=1e-9,
                     **description)
    exact = all(np.array_equal(a, b) for a, b in zip(trainers["engine"].parameters(),
                                                     trainers["eager"].parameters()))
    if not exact or trainers["engine"].last_loss() != trainers["eager"].last_loss():
        raise AssertionError("bench: the replay did not end bit for bit where eager mode did")
    jitted = trainers["engine"].train.jitted
    medians = result["medians"]
    result["notes"].append(
        f"replay = eager mode bit for bit (parameters and last loss); {jitted.recorded_calls} "
        f"recorded calls, {jitted.replayed_calls} replayed; eager mode took "
        f"{medians['eager'] / medians['engine']:.2f}x the replay's time "
        f"(eager/numpy {medians['eager'] / medians['numpy']:.2f}x)")
    return result
