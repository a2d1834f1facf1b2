"""Seed 001's "distant identity": can a 20-layer net learn y = x? PlainMLP (x = relu(Wx + b))
against ResMLP (x = x + relu(Wx + b)), dim 64, Kaiming normal scaled by 1/sqrt(20), zero biases,
Adam lr 1e-3, 500 steps, a fresh batch of 64 vectors from Uniform(-1, 1) each step.

Prints the seed's metrics table (initial, final loss, reduction) beside the published one and
what the probes see at initialisation; draws the four figures of the seed: training loss,
activation std per layer, gradient norm per layer, activation heatmaps.

    python -m demos distant_identity                 # 500 steps, both nets, seconds
    python -m demos distant_identity --quick         # 30 steps
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import nets
from nets.losses import mse_loss
from nets.probes import probe_layers, weight_grad_norms
from tinygrad_res import Tensor

from .cli import Progress, make_main, nonnegative_int, positive_float, positive_int
from .depth_sweep_core import identity_step
from .distant_identity_report import figures, tables

SUMMARY = ("Seed 001: 20-layer plain vs residual MLP learning y = x with Adam; loss, "
           "activation std, gradient norm per layer, heatmaps")

# Seed 001's published figures, copied from its text (data, the reference we compare with).
PUBLISHED = {"plain": {"initial": 0.333, "final": 0.333, "reduction": 0.0},
             "residual": {"initial": 13.826, "final": 0.063, "reduction": 99.5},
             "plain_grad_norm_layer1": 8.6e-19, "plain_grad_norm_layer20": 1e-3,
             "residual_grad_norm": 1e-3, "residual_activation_std": [0.13, 0.18]}
FAMILIES = ("plain", "residual")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depth", type=positive_int, default=20, help="layers (20)")
    parser.add_argument("--dim", type=positive_int, default=64, help="features per layer (64)")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="Adam steps (default 500; --quick: 30)")
    parser.add_argument("--batch-size", type=positive_int, default=64, help="batch size (64)")
    parser.add_argument("--lr", type=positive_float, default=1e-3, help="Adam learning rate (1e-3)")
    parser.add_argument("--spread-seeds", type=nonnegative_int, default=None,
                        help="also train the residual net with this many other seeds, to "
                             "show the spread of its initial and final loss (default 4; "
                             "--quick: 0)")


def measure(model: nets.Module, x: np.ndarray) -> dict:
    """One forward and backward pass on batch `x` with probes on every layer, parameters left
    as they are: per layer, the std of the layer output (for ResMLP the residual stream
    x + relu(Wx + b)) and of the branch relu(Wx + b), ||dL/dW||, ||dL/d output||, and the
    output arrays (for the heatmaps)."""
    model.zero_grad()
    xt = Tensor(x)
    with probe_layers(model, "output") as outputs, probe_layers(model, "branch") as branches:
        loss = mse_loss(model(xt), xt)
        loss.backward()
    found = {"loss": loss.item(), "output_std": outputs.activation_std(),
             "branch_std": branches.activation_std(), "weight_grad_norm": weight_grad_norms(model),
             "output_grad_norm": outputs.grad_norm(), "activations": outputs.activations()}
    model.zero_grad()
    return found


def train(residual: bool, args: argparse.Namespace, seed: int, bar: Progress) -> dict:
    """Train one net as seed 001 does; its loss curve and probe readings before and after."""
    model = nets.seed001_network(residual, depth=args.depth, width=args.dim, seed=seed)
    optimizer = nets.optim.Adam(model.parameters(), lr=args.lr)
    # a data stream of its own, the same for both nets, not tied to the weights' stream
    batches = list(nets.data.uniform_batches(args.steps, args.batch_size, args.dim,
                                             seed=np.random.default_rng([seed, 1])))
    before = measure(model, batches[0])
    losses = []
    for x in batches:
        loss = identity_step(model, optimizer, Tensor(x))  # the target is the input
        optimizer.step()
        losses.append(loss.item())
        bar.update()
    after = measure(model, batches[0])
    return {"losses": losses, "initial": losses[0], "final": losses[-1],
            "reduction": 100.0 * (1.0 - losses[-1] / losses[0]), "before": before,
            "after": after}


def _summary(run: dict) -> dict:
    """The JSON-able part of a run (the activation arrays are only drawn)."""
    keep = ("loss", "output_std", "branch_std", "weight_grad_norm", "output_grad_norm")
    return {"initial": run["initial"], "final": run["final"], "reduction": run["reduction"],
            "losses": run["losses"],
            "at_init": {k: run["before"][k] for k in keep},
            "after_training": {k: run["after"][k] for k in keep}}


def run(args: argparse.Namespace) -> dict:
    if args.steps is None:
        args.steps = 30 if args.quick else 500
    spread = args.spread_seeds if args.spread_seeds is not None else (0 if args.quick else 4)
    start = time.perf_counter()
    with Progress(total=args.steps * (2 + spread), desc="distant identity") as bar:
        runs = {family: train(family == "residual", args, args.seed, bar) for family in FAMILIES}
        others = [train(True, args, args.seed + k, bar) for k in range(1, spread + 1)]
    seconds = time.perf_counter() - start

    result = {family: _summary(runs[family]) for family in FAMILIES}
    result.update(depth=args.depth, dim=args.dim, steps=args.steps, batch_size=args.batch_size,
                  lr=args.lr, seed=args.seed, published=PUBLISHED, seconds=seconds)
    if others:
        result["residual_spread"] = {"seeds": [args.seed + k for k in range(1, spread + 1)],
                                     "initial": [r["initial"] for r in others],
                                     "final": [r["final"] for r in others]}
    result["tables"] = tables(result, PUBLISHED)
    result["figures"] = figures(runs, args)
    print(f"figures: {', '.join(result['figures'])}")
    print(f"time: {seconds:.1f} s")
    return result


main = make_main(__name__)

if __name__ == "__main__":
    main()
