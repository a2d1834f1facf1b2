"""demos/transformer_norm.py's summary, verdict and figure."""
from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from .spirals import fisher_one_sided
from .workers import median

LABELS = {True: "pre-LN", False: "post-LN"}


def failed(run: dict, chance: float) -> bool:
    return run["diverged"] or run["final"] > 0.5 * chance


def summarise(runs: list, depths: list, seeds: int) -> dict:
    """label -> depth -> medians over the seeds, failures, gradient norms per layer at init."""
    chance = math.log(runs[0]["vocab"])
    out = {}
    for pre_norm, label in LABELS.items():
        out[label] = {}
        for depth in depths:
            mine = [r for r in runs if r["pre_norm"] == pre_norm and r["depth"] == depth]
            grads = np.median([r["layer_grad_norm_at_init"] for r in mine], axis=0)
            out[label][depth] = {
                "finals": [r["final"] for r in mine],
                "median_final": median([r["final"] for r in mine]),
                "median_accuracy": float(np.median([r["accuracy"] for r in mine])),
                "failed": sum(failed(r, chance) for r in mine),
                "diverged": sum(r["diverged"] for r in mine),
                "grad_per_layer": grads.tolist(), "grad_first": float(grads[0]),
                "grad_last": float(grads[-1])}
    return out


def verdict(summary: dict, depths: list, seeds: int) -> dict:
    """Where post-LN fails and pre-LN does not (one-sided Fisher's exact test per depth), and
    whether the gradient at init grows toward the output in post-LN more than in pre-LN."""
    pre, post = summary["pre-LN"], summary["post-LN"]
    p_values = {d: fisher_one_sided(post[d]["failed"], pre[d]["failed"], seeds) for d in depths}
    worse = [d for d in depths if post[d]["failed"] > pre[d]["failed"]]
    deep = max(depths)
    ratio = {label: summary[label][deep]["grad_last"] / summary[label][deep]["grad_first"]
             for label in summary}
    pre_fails = sum(pre[d]["failed"] for d in depths)
    beyond = [d for d in depths if d > 12]
    holds = (bool(beyond) and all(post[d]["failed"] * 2 > seeds for d in beyond)
             and all(pre[d]["failed"] == 0 for d in beyond))
    counts = ", ".join(f"{d} ({post[d]['failed']}/{seeds})" for d in depths)
    text = (f"post-LN runs fail at depth {counts}; "
            f"pre-LN runs fail {pre_fails} time(s) in {seeds * len(depths)}; post-LN fails more "
            f"often than pre-LN at " + (", ".join(f"depth {d} (one-sided Fisher p = "
                                                  f"{p_values[d]:.2g})" for d in worse) or
                                        "no depth")
            + f". At init, the last layer's gradient is {ratio['post-LN']:.3g} times the first "
              f"layer's in post-LN and {ratio['pre-LN']:.3g} times in pre-LN ({deep} layers)")
    return {"post_worse_at": worse, "p_values": {str(d): p for d, p in p_values.items()},
            "pre_failures": pre_fails, "gradient_ratio_last_first": ratio,
            "post_fails_beyond_12_pre_does_not": holds,
            "gradient_grows_toward_output_in_post_ln": ratio["post-LN"] > ratio["pre-LN"],
            "text": text}


def median_curve(curves: list) -> np.ndarray:
    longest = max(len(c) for c in curves)
    padded = np.array([c + [np.nan] * (longest - len(c)) for c in curves])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(padded, axis=0)


def plot(runs: list, summary: dict, depths: list, chance: float, out: Path) -> str:
    from matplotlib import colormaps

    from .plotting import save_figure, subplots
    fig, axes = subplots(1, 4, size=(4.0, 3.6))
    colours = dict(zip(depths, colormaps["viridis"](np.linspace(0.0, 0.85, len(depths)))))
    for ax, (pre_norm, label) in zip(axes[:2], LABELS.items()):
        for depth in depths:
            curves = [r["curve"] for r in runs
                      if r["pre_norm"] == pre_norm and r["depth"] == depth]
            for curve in curves:
                ax.plot(curve, color=colours[depth], alpha=0.25, lw=0.7)
            ax.plot(median_curve(curves), color=colours[depth], lw=2, label=f"{depth} layers")
        ax.axhline(chance, color="grey", ls=":", lw=0.8)
        ax.set(title=f"{label}: training loss", xlabel="step", yscale="log")
        ax.legend(fontsize="small")
    seeds = len(summary["pre-LN"][depths[0]]["finals"])
    for label, marker in (("pre-LN", "o-"), ("post-LN", "s--")):
        axes[2].plot(depths, [summary[label][d]["failed"] / seeds for d in depths], marker,
                     label=label)
        axes[3].plot(range(1, max(depths) + 1), summary[label][max(depths)]["grad_per_layer"],
                     marker, label=label)
    axes[2].set(title="share of runs that fail", xlabel="layers", ylim=(-0.05, 1.05))
    axes[3].set(title=f"||grad|| per layer at init ({max(depths)} layers)", xlabel="layer",
                yscale="log")
    for ax in axes[2:]:
        ax.legend(fontsize="small")
    return save_figure(fig, out, "transformer_norm")
