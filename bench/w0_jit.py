"""W0 replayed: seed 000's cell (bench/w0_seed000.py) with its training step under
`@tinygrad_res.jit` (issue 18). Same network, data, lr and units as W0."""
import nets

from . import common
from .jit_training import compare_replay

TITLE = ("W0 replayed by tinygrad_res.jit: ResMLP depth 100 width 8, per-sample SGD (lr 1e-4), "
         "32 points, f64")
GOAL = {"kind": "ratio", "ratio": "engine/numpy", "limit": 1.3,
        "text": "replay <= 1.3x numpy by hand"}


def run(rounds: int = 120, quick: bool = False, use_torch: bool = True) -> dict:
    samples = [row[None, :] for row in nets.data.identity_data()]  # a batch of one, (1, 8)
    return compare_replay(lambda: nets.seed000_network(100, residual=True), samples, "sgd", 1e-4,
                          use_torch, per_call=4, per_unit=32, rounds=8 if quick else rounds,
                          key="W0 jit", title=TITLE, unit="s/epoch", goal=GOAL)


if __name__ == "__main__":
    common.workload_main(run, default_rounds=120)
