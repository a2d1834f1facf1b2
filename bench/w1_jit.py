"""W1 replayed: seed 001's training step (bench/w1_seed001.py) under `@tinygrad_res.jit`
(issue 18). Same network, batches, optimizer and units as W1."""
import nets

from . import common
from .jit_training import compare_replay

TITLE = "W1 replayed by tinygrad_res.jit: ResMLP depth 20 dim 64, batch 64, Adam, float64"
GOAL = {"kind": "ratio", "ratio": "engine/numpy", "limit": 1.1,
        "text": "replay <= 1.1x numpy by hand"}


def run(rounds: int = 100, quick: bool = False, use_torch: bool = True) -> dict:
    batches = list(nets.data.uniform_batches(20, batch_size=64, dim=64, seed=1))
    return compare_replay(lambda: nets.seed001_network(residual=True, depth=20, width=64),
                          batches, "adam", 1e-3, use_torch, per_call=4, per_unit=1,
                          rounds=8 if quick else rounds, key="W1 jit", title=TITLE,
                          unit="s/step", goal=GOAL)


if __name__ == "__main__":
    common.workload_main(run, default_rounds=100)
