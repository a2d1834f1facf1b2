"""W2: W1 scaled up to dim 1024, batch 256, in float32, where matrix products dominate.

Same network recipe, data and Adam as W1 (bench/w1_seed001.py). The engine should add little
to the BLAS calls: no float64 round trips, no extra copies of the 256 x 1024 activations.
"""
import numpy as np

import nets

from . import common
from .mlp_training import compare, make_trainers

TITLE = "W2: ResMLP depth 20 dim 1024, batch 256, Adam, float32"
GOAL = {"kind": "ratio", "ratio": "engine/torch", "limit": 1.1, "text": "engine <= 1.1x torch f32",
        "issue_torch": 0.35}


def run(rounds: int = 9, quick: bool = False, use_torch: bool = True) -> dict:
    steps = 2
    model = nets.seed001_network(residual=True, depth=20, width=1024).to(np.float32)
    batches = [x.astype(np.float32) for x in
               nets.data.uniform_batches(steps, batch_size=256, dim=1024, seed=1)]
    trainers = make_trainers(model, batches, "adam", 1e-3, use_torch, per_call=1)
    # float32 sums of 1024 products differ between BLAS libraries in the last bits, and Adam's
    # first steps turn tiny gradients into steps of size lr whatever their sign: parameters can
    # differ by ~lr, so only the loss is compared
    return compare(trainers, rounds=3 if quick else rounds, per_call=1, per_unit=1,
                   param_rtol=None, loss_rtol=1e-4, key="W2", title=TITLE, unit="s/step",
                   goal=GOAL)


if __name__ == "__main__":
    common.workload_main(run, default_rounds=9)
