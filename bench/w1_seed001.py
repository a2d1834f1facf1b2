"""W1: seed 001's training step. A depth-20, dim-64 residual MLP, batch 64, Adam (lr 1e-3).

nets.seed001_network (Kaiming weights scaled by 1/sqrt(depth), zero biases), on the seed's
fresh Uniform(-1, 1) batches with target = input. One unit is one step; each call times 4
steps on distinct batches (going round 20 of them) and divides.
"""
import nets

from . import common
from .mlp_training import compare, make_trainers

TITLE = "W1 seed-001: ResMLP depth 20 dim 64, batch 64, Adam, float64"
GOAL = {"kind": "ratio", "ratio": "engine/torch", "limit": 0.5,
        "and": {"ratio": "engine/numpy", "limit": 1.25},
        "text": "engine <= 0.5x torch and <= 1.25x numpy by hand", "issue_torch": 4.6e-3}


def run(rounds: int = 100, quick: bool = False, use_torch: bool = True) -> dict:
    steps = 20
    model = nets.seed001_network(residual=True, depth=20, width=64)
    batches = list(nets.data.uniform_batches(steps, batch_size=64, dim=64, seed=1))
    trainers = make_trainers(model, batches, "adam", 1e-3, use_torch, per_call=4)
    return compare(trainers, rounds=8 if quick else rounds, per_call=4, per_unit=1,
                   param_rtol=1e-9, loss_rtol=1e-9, key="W1", title=TITLE, unit="s/step",
                   goal=GOAL)


if __name__ == "__main__":
    common.workload_main(run, default_rounds=100)
