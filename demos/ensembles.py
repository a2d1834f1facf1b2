"""Seed 004 / Veit et al. 2016: "ResNets behave like ensembles of relatively shallow networks
... most of the gradient flows through short paths."

A digits ResNet-N and its plain twin are trained with demos/degradation.py's budget, then:

1. Lesion study (Veit et al. Fig. 3 and 5): delete one block at test time, each block in turn,
   and measure the test error. Deleting a residual block leaves its shortcut (the identity, or
   the projection where the block changes the shape); deleting a plain block leaves the
   identity, which only exists where the block keeps the shape. Then delete k random identity
   blocks at once. A residual net is an ensemble of many paths: losing one block removes only
   the paths through it. A plain net is one path: any deletion breaks it.
2. Gradient per path length (Veit et al. Fig. 6): the n blocks give 2^n paths; the number of
   paths of length k (k branches taken, n - k shortcuts) is C(n, k), a binomial distribution.
   As in the paper, a path of length k is sampled by keeping k random branches: a forward
   pass of a training batch (eval mode), and a backward pass that goes through the branch only
   (shortcut detached) in those k blocks and through the shortcut only (branch detached) in
   the others; ||dL/d(input of the first block)|| is that path's gradient. The total gradient
   per length is C(n, k) times its mean.

The claim holds when the residual net's error grows gently (below `SMOOTH` points for every
single identity block) while the plain net's does not, and when paths shorter than n/2 (the
typical path length) carry most of the total gradient magnitude.

    python -m demos ensembles [--quick] [--depth 32] [--epochs 16] [--samples 8]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from .cli import at_least, make_main, positive_int
from .ensembles_paths import gradient_by_length, lesion_errors, random_lesions
from .ensembles_report import plot, tables

SUMMARY = ("Seed 004 / Veit et al. 2016: delete blocks of a trained digits ResNet and its plain "
           "twin; gradient magnitude per path length beside the binomial path count")

CLAIM = ("ResNets behave like ensembles of relatively shallow networks. The skip connections "
         "create an exponential number of paths through the network, and most of the gradient "
         "flows through short paths.")
FULL = {"depth": 32, "epochs": 16, "train_subset": None, "samples": 8, "lesions": 20}
QUICK = {"depth": 8, "epochs": 1, "train_subset": 256, "samples": 2, "lesions": 2}
SMOOTH = 10.0  # percentage points of test error: "degrades gracefully" for one block


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .degradation import cifar_depth
    parser.add_argument("--depth", type=cifar_depth, default=None,
                        help="network depth 6n + 2, 3n blocks (default: 32; --quick: 8)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="training epochs (default: 16; --quick: 1)")
    parser.add_argument("--samples", type=positive_int, default=None,
                        help="random paths sampled per length (default: 8; --quick: 2)")
    parser.add_argument("--lesions", type=positive_int, default=None,
                        help="random draws per number of deleted blocks (default: 20; "
                             "--quick: 2)")
    parser.add_argument("--batch", type=at_least(2), default=64,
                        help="training images in the gradient measurement (default: 64)")
    parser.add_argument("--workers", type=positive_int, default=2,
                        help="processes training the two networks (default: 2)")


def train_twins(depth: int, epochs: int, subset, seed: int, workers: int) -> dict:
    """{"residual": model, "plain": model} trained by demos/degradation.py's loop, and the
    two runs' records (curves, final errors)."""
    from nets.resnet import ResNet

    from .degradation import TRAINING, train_all
    settings = {**TRAINING, "depths": (depth,), "epochs": epochs, "train_subset": subset,
                "seed": seed, "keep_state": True, "quick": subset is not None}
    runs = train_all(settings, workers)
    models, records = {}, {}
    for run in runs:
        family = "plain" if run["plain"] else "residual"
        model = ResNet(depth, block=TRAINING["block"], plain=run["plain"], seed=seed)
        model.load_state_dict({k: np.asarray(v, dtype=np.float64)
                               for k, v in run.pop("state").items()})
        models[family] = model.eval()
        records[family] = run
    return {"models": models, "records": records, "settings": settings}


def verdict(lesions: dict, paths: dict, blocks: int) -> dict:
    residual = [e for e in lesions["residual"]["deleted"] if e is not None]
    identity = [e for e, kind in zip(lesions["residual"]["deleted"],
                                     lesions["residual"]["kinds"]) if kind == "identity"]
    plain = [e for e in lesions["plain"]["deleted"] if e is not None]
    base = {f: lesions[f]["intact"] for f in ("residual", "plain")}
    graceful = bool(identity) and max(identity) - base["residual"] < SMOOTH
    collapse = bool(plain) and min(plain) - base["plain"] >= SMOOTH
    short_share = paths["short_share"]
    text = (f"deleting one identity block raises the residual net's test error by at most "
            f"{max(identity) - base['residual']:.1f} points (from {base['residual']:.1f}%), "
            f"deleting one plain block raises the plain net's by at least "
            f"{min(plain) - base['plain']:.1f} points (from {base['plain']:.1f}%); paths "
            f"shorter than n/2 = {blocks / 2:g} blocks carry {100 * short_share:.0f}% of the "
            f"total gradient magnitude, the largest share at length {paths['peak_length']}"
            if identity and plain else "no block could be deleted")
    return {"residual_degrades_gracefully": graceful, "plain_collapses": collapse,
            "short_paths_carry_most": short_share > 0.5,
            "holds": graceful and collapse and short_share > 0.5,
            "largest_residual_deletion": max(residual) if residual else None, "text": text}


def run(args: argparse.Namespace) -> dict:
    config = QUICK if args.quick else FULL
    depth, epochs = args.depth or config["depth"], args.epochs or config["epochs"]
    samples, draws = args.samples or config["samples"], args.lesions or config["lesions"]
    start = time.perf_counter()
    twins = train_twins(depth, epochs, config["train_subset"], args.seed, args.workers)
    trained = time.perf_counter() - start
    from nets.digits import load_digits
    data = load_digits()
    lesions = {family: lesion_errors(model, data.x_test, data.y_test)
               for family, model in twins["models"].items()}
    rng = np.random.default_rng(args.seed)
    for family, model in twins["models"].items():
        lesions[family]["random"] = random_lesions(model, data.x_test, data.y_test, draws, rng)
    batch = rng.choice(len(data.y_train), size=min(args.batch, len(data.y_train)), replace=False)
    paths = gradient_by_length(twins["models"]["residual"], data.x_train[batch],
                               data.y_train[batch], samples, rng)
    blocks = len(twins["models"]["residual"].blocks)
    found = verdict(lesions, paths, blocks)
    result = {"claim": CLAIM, "depth": depth, "blocks": blocks, "epochs": epochs,
              "seed": args.seed, "samples": samples, "lesion_draws": draws,
              "training": twins["records"], "lesions": lesions, "paths": paths,
              "binomial": [math.comb(blocks, k) / 2 ** blocks for k in range(blocks + 1)],
              "verdict": found, "train_seconds": trained,
              "seconds": time.perf_counter() - start}
    result["tables"] = tables(result)
    result["figures"] = [plot(result, args.out)]
    print(f"verdict: {'holds' if found['holds'] else 'does NOT hold'}: {found['text']}"
          + (" (quick mode: too short to conclude anything)" if args.quick else ""))
    print(f"time: {result['seconds']:.0f} s ({trained:.0f} s training)")
    return result


main = make_main(__name__)

if __name__ == "__main__":
    main()
