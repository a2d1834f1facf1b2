"""W0: seed 000's cell. A depth-100, width-8 residual MLP, per-sample SGD over 32 points.

The seed's recipe (nets.seed000_network: Kaiming weights scaled by 1/sqrt(depth), zero biases,
the seed's 32 identity-task points), but at lr 1e-4: at the seed's lr 0.01 this net overflows in
two steps (see REPRODUCTION.md), and timing arithmetic on Inf and NaN would measure nothing.
One unit is one epoch: 32 forward passes, backward passes and SGD steps on one sample each,
timed in calls of 4 samples (short calls alternate more finely between the contenders, so a
change in the machine's load hits them alike).
"""
import nets

from . import common
from .mlp_training import compare, make_trainers

TITLE = "W0 seed-000 cell: ResMLP depth 100 width 8, per-sample SGD (lr 1e-4), 32 points, f64"
GOAL = {"kind": "ratio", "ratio": "engine/torch", "limit": 0.5, "text": "engine <= 0.5x torch",
        "issue_torch": 0.10}  # torch's time in the table, on the machine it was measured on


def run(rounds: int = 120, quick: bool = False, use_torch: bool = True) -> dict:
    model = nets.seed000_network(100, residual=True)
    samples = [row[None, :] for row in nets.data.identity_data()]  # a batch of one, (1, 8)
    trainers = make_trainers(model, samples, "sgd", 1e-4, use_torch, per_call=4)
    return compare(trainers, rounds=8 if quick else rounds, per_call=4, per_unit=32,
                   param_rtol=1e-9, loss_rtol=1e-9, key="W0", title=TITLE, unit="s/epoch",
                   goal=GOAL)


if __name__ == "__main__":
    common.workload_main(run, default_rounds=120)
