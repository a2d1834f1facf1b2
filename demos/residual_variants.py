"""Seed 001's frontier variants: "gated residuals, scaled residuals (e.g. multiplying residual
branches by a learned or fixed alpha), residual stream scaling ... control gradient flow,
reduce training instability". Each variant against the plain residual x + F(x), at depth, on
the 8x8 digits with one budget (Adam, the same epochs and batches), several seeds:

    x + F(x)          the plain residual, He init as drawn: at init each branch adds as much
                      as the stream holds (He's unit gain), so the stream's second moment grows
                      2-3x per layer
    init / sqrt(L)    x + F(x), branch weights scaled by 1/sqrt(L) at init (seed 000's recipe)
    fixed 1/sqrt(L)   x + F(x) / sqrt(L), a fixed multiplier (nets.variants.ScaledResidualLayer)
    ReZero            x + alpha * F(x), alpha learned from 0 (nets.variants.ReZeroLayer)
    gated             x + sigmoid(Wg x + bg) * F(x) (nets.variants.GatedResidualLayer)

with F(x) = relu(W x + b) and every weight He-initialised (demos/digits_mlp.py). Measured: the
std of the residual stream at init after the last hidden layer, the initial and final training
loss, test error, divergence. A variant "fixes" the plain residual at a depth when its median
final training loss is lower and none of its runs diverged.

    python -m demos residual_variants [--quick] [--depths 8 32] [--seeds 3] [--epochs 10]
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from .cli import make_main
from .digits_mlp import add_study_arguments, run_study
from .tables import make_table
from .workers import median

SUMMARY = ("Seed 001's frontier variants (ReZero, fixed 1/sqrt(L), gated) against x + F(x) "
           "at depth on the digits: stream size at init, training, failures")

CLAIM = ("Frontier architectures now use gated residuals, scaled residuals (e.g., multiplying "
         "residual branches by a learned or fixed alpha), residual stream scaling ... These "
         "tweaks control gradient flow, reduce training instability, and prevent any single "
         "layer from dominating the signal.")
VARIANTS = (("x + F(x)", "residual_unscaled"), ("init / sqrt(L)", "residual"),
            ("fixed 1/sqrt(L)", "scaled"), ("ReZero", "rezero"), ("gated", "gated"))
FULL = {"depths": [8, 32], "seeds": 3, "epochs": 10}
QUICK = {"depths": [4, 8], "seeds": 1, "epochs": 1}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_study_arguments(parser, FULL, QUICK, "hidden layers L")


def summarise(runs: list, depths: list) -> dict:
    out = {}
    for label, _ in VARIANTS:
        out[label] = {}
        for depth in depths:
            mine = [r for r in runs if r["label"] == label and r["depth"] == depth]
            out[label][depth] = {
                "stream_std_at_init": median([r["stream_std_at_init"][-1] for r in mine]),
                "initial_loss": median([r["initial_loss"] for r in mine]),
                "train_loss": [r["train_loss"] for r in mine],
                "median_train_loss": median([r["train_loss"] for r in mine]),
                "median_test_error": median([r["test_error"] for r in mine]),
                "diverged": sum(r["diverged"] for r in mine)}
    return out


def verdict(summary: dict, depths: list) -> dict:
    """Per depth, the variants that beat x + F(x): lower median final loss, no divergence."""
    fixes = {}
    for depth in depths:
        base = summary["x + F(x)"][depth]["median_train_loss"]
        fixes[str(depth)] = [label for label, _ in VARIANTS[1:]
                             if summary[label][depth]["diverged"] == 0
                             and summary[label][depth]["median_train_loss"] < base]
    deep = str(depths[-1])
    base = summary["x + F(x)"][depths[-1]]
    text = (f"at depth {deep}, " + (", ".join(fixes[deep]) if fixes[deep] else "no variant")
            + f" train lower than x + F(x) with no diverged run; x + F(x) at depth {deep} "
            f"starts with a stream std of {base['stream_std_at_init']:.3g} and has "
            f"{base['diverged']} diverged run(s)")
    return {"fixes": fixes, "all_fix_at_deepest": len(fixes[deep]) == len(VARIANTS) - 1,
            "text": text}


def table(summary: dict, depths: list, seeds: int, epochs: int) -> dict:
    rows = [[depth, label, f"{cell['stream_std_at_init']:.3g}", f"{cell['initial_loss']:.3g}",
             f"{cell['median_train_loss']:.4f}", f"{100 * cell['median_test_error']:.2f}",
             f"{cell['diverged']}/{seeds}"]
            for depth in depths for label, _ in VARIANTS
            for cell in [summary[label][depth]]]
    return make_table(f"Residual variants on the digits after {epochs} epochs of Adam: medians "
                      f"over {seeds} seed(s)",
                      ["depth L", "layer", "stream std at init", "initial loss",
                       "final train loss", "test error %", "diverged"], rows,
                      note="stream std: of the hidden signal after the last hidden layer, at "
                           "init, over the training images; a diverged run counts as "
                           "infinitely bad in the medians. Seed 001 publishes no numbers for "
                           "these variants.")


def plot(runs: list, summary: dict, depths: list, args: argparse.Namespace) -> str:
    from .plotting import save_figure, subplots
    fig, axes = subplots(1, len(depths) + 1, size=(4.2, 3.8), squeeze=False)
    axes = axes[0]
    for label, _ in VARIANTS:
        for ax, depth in zip(axes[:-1], depths):
            curves = [r["curve"] for r in runs if r["label"] == label and r["depth"] == depth]
            longest = max(len(c) for c in curves)
            padded = np.array([c + [np.nan] * (longest - len(c)) for c in curves])
            ax.plot(np.arange(1, longest + 1), np.nanmedian(padded, axis=0), "o-", label=label)
            ax.set(title=f"L = {depth}: training loss (median)", xlabel="epoch", yscale="log")
        stream = [median([r["stream_std_at_init"][-1] for r in runs
                          if r["label"] == label and r["depth"] == d]) for d in depths]
        axes[-1].plot(depths, stream, "o-", label=label)
    axes[-1].set(title="stream std at init", xlabel="hidden layers L", yscale="log",
                 xscale="log")
    for ax in axes:
        ax.legend(fontsize="small")
    return save_figure(fig, args.out, "residual_variants")


def run(args: argparse.Namespace) -> dict:
    config = QUICK if args.quick else FULL
    variants = [{"label": label, "family": family} for label, family in VARIANTS]
    return run_study(args, config, variants, CLAIM, "seed 001", sys.modules[__name__])


main = make_main(__name__)

if __name__ == "__main__":
    main()
