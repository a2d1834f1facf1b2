"""Seeds 002 and 004: "Highway networks ... ResNets showed the gating was unnecessary — simple
addition works better". Plain, highway and residual MLPs of several depths on the 8x8 digits,
one task and one budget (Adam, the same epochs and batches), several seeds.

    plain      x -> relu(W x + b)
    highway    x -> T * relu(Wh x + bh) + (1 - T) * x,  T = sigmoid(Wt x + bt)  (Srivastava et
               al. 2015), with the gate bias bt at -1 and at -3 (they suggest -1 to -3, lower
               for deeper nets: the gates start closer to carrying x through)
    residual   x -> x + relu(W x + b), W scaled by 1/sqrt(depth) at init (seed 000's recipe)

(demos/digits_mlp.py builds and trains them.) The claim holds at a depth when the residual
nets' median final training loss is at most every highway variant's; the cost column says
what the gate costs: twice the weights per layer and more time per step.

    python -m demos highway_vs_residual [--quick] [--depths 10 20 50] [--seeds 3] [--epochs 10]
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from .cli import make_main
from .digits_mlp import add_study_arguments, run_study
from .tables import make_table
from .workers import median

SUMMARY = ("Seeds 002/004: plain vs highway vs residual MLPs of several depths on the digits, "
           "one budget, several seeds: is addition better than gating?")

CLAIM = ("Highway networks (Srivastava et al. 2015): y = T(x) * H(x) + (1 - T(x)) * x. ResNets "
         "showed the gating was unnecessary - simple addition works better.")
VARIANTS = (("plain", "plain", -1.0), ("highway -1", "highway", -1.0),
            ("highway -3", "highway", -3.0), ("residual", "residual", -1.0))
FULL = {"depths": [10, 20, 50], "seeds": 3, "epochs": 10}
QUICK = {"depths": [4, 8], "seeds": 1, "epochs": 1}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_study_arguments(parser, FULL, QUICK, "hidden layers")


def summarise(runs: list, depths: list) -> dict:
    """label -> depth -> medians over the seeds, and the failures (diverged)."""
    out = {}
    for label, _, _ in VARIANTS:
        out[label] = {}
        for depth in depths:
            mine = [r for r in runs if r["label"] == label and r["depth"] == depth]
            out[label][depth] = {
                "train_loss": [r["train_loss"] for r in mine],
                "median_train_loss": median([r["train_loss"] for r in mine]),
                "median_train_error": median([r["train_error"] for r in mine]),
                "median_test_error": median([r["test_error"] for r in mine]),
                "diverged": sum(r["diverged"] for r in mine),
                "parameters": mine[0]["parameters"],
                "cpu_seconds": float(np.mean([r["cpu_seconds"] for r in mine]))}
    return out


def verdict(summary: dict, depths: list) -> dict:
    """Per depth: does residual train at least as low as every highway variant (medians)?"""
    holds = {}
    for depth in depths:
        residual = summary["residual"][depth]["median_train_loss"]
        holds[depth] = all(residual <= summary[label][depth]["median_train_loss"]
                           for label, family, _ in VARIANTS if family == "highway")
    where = [d for d in depths if holds[d]]
    text = ("addition trains at least as low as gating at every depth" if len(where) == len(depths)
            else "addition trains lower at no depth" if not where else
            f"addition trains at least as low at depth {', '.join(map(str, where))} only; at "
            f"depth {', '.join(str(d) for d in depths if not holds[d])} a highway net trains "
            f"lower")
    best_test = [d for d in depths if summary["residual"][d]["median_test_error"] <=
                 min(summary[label][d]["median_test_error"] for label, _, _ in VARIANTS)]
    text += (f"; the residual nets have the lowest median test error at depth "
             f"{', '.join(map(str, best_test))}" if best_test else
             "; the residual nets have the lowest median test error at no depth")
    return {"holds_at": {str(d): holds[d] for d in depths}, "holds_everywhere": all(holds.values()),
            "lowest_test_error_at": best_test, "text": text}


def table(summary: dict, depths: list, seeds: int, epochs: int) -> dict:
    rows = []
    for depth in depths:
        for label, _, _ in VARIANTS:
            cell = summary[label][depth]
            rows.append([depth, label, cell["parameters"], f"{cell['median_train_loss']:.4f}",
                         f"{100 * cell['median_train_error']:.2f}",
                         f"{100 * cell['median_test_error']:.2f}",
                         f"{cell['diverged']}/{seeds}", f"{cell['cpu_seconds']:.1f}"])
    return make_table(f"Digits MLPs after {epochs} epochs of Adam: medians over {seeds} seed(s)",
                      ["depth", "network", "parameters", "train loss", "train error %",
                       "test error %", "diverged", "CPU s per run"], rows,
                      note="train loss and errors on the whole set after the last epoch; a "
                           "diverged run counts as infinitely bad in the medians. The seeds "
                           "publish no numbers for this comparison.")


def plot(runs: list, summary: dict, depths: list, args: argparse.Namespace) -> str:
    from .plotting import save_figure, subplots
    fig, (left, right) = subplots(1, 2, size=(5.0, 4.0))
    for label, _, _ in VARIANTS:
        losses = [summary[label][d]["median_train_loss"] for d in depths]
        left.plot(depths, losses, "o-", label=label)
        right.plot(depths, [100 * summary[label][d]["median_test_error"] for d in depths], "o-",
                   label=label)
    left.set(xlabel="hidden layers", ylabel="final training loss (median)", yscale="log",
             title="training loss, one budget")
    right.set(xlabel="hidden layers", ylabel="test error % (median)", title="test error")
    for ax in (left, right):
        ax.legend(fontsize="small")
    return save_figure(fig, args.out, "highway_vs_residual")


def run(args: argparse.Namespace) -> dict:
    config = QUICK if args.quick else FULL
    variants = [{"label": label, "family": family, "gate_bias": bias}
                for label, family, bias in VARIANTS]
    return run_study(args, config, variants, CLAIM, "seeds 002/004", sys.modules[__name__])


main = make_main(__name__)

if __name__ == "__main__":
    main()
