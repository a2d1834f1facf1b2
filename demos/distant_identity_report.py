"""The distant-identity demo's tables and its four figures (demos/distant_identity.py trains).

Every plot says which quantity it shows: for ResMLP a layer's output is the residual stream
x + relu(Wx + b), and its branch is relu(Wx + b); for PlainMLP the two are the same thing.
"""
from __future__ import annotations

import argparse
from typing import List

import numpy as np

from .tables import format_table, make_table

NAMES = {"plain": "PlainMLP", "residual": "ResMLP"}


def _spread_note(result: dict, published: dict) -> str:
    if "residual_spread" not in result:
        return ""
    spread = result["residual_spread"]
    initial = [result["residual"]["initial"]] + spread["initial"]
    final = [result["residual"]["final"]] + spread["final"]
    inside = (min(initial) <= published["residual"]["initial"] <= max(initial)
              and min(final) <= published["residual"]["final"] <= max(final))
    return (f" ResMLP over {len(initial)} seeds: initial loss {min(initial):.3f}-"
            f"{max(initial):.3f}, final {min(final):.3f}-{max(final):.3f}; the published "
            f"{published['residual']['initial']} -> {published['residual']['final']} lies "
            f"{'inside' if inside else 'outside'} that spread.")


def _layer_rows(result: dict) -> list:
    depth = result["depth"]
    plain, residual = result["plain"]["at_init"], result["residual"]["at_init"]
    layers = sorted({1, 2, 5, depth // 2, depth} & set(range(1, depth + 1)))
    keys = (("output_std", plain), ("output_std", residual), ("branch_std", residual),
            ("output_grad_norm", plain), ("output_grad_norm", residual),
            ("weight_grad_norm", plain), ("weight_grad_norm", residual))
    return [[layer] + [at_init[key][layer - 1] for key, at_init in keys] for layer in layers]


def _layers_within(values: list, low: float, high: float) -> str:
    """The layers (counted from 1) whose value lies in [low, high], as ranges: 'layers 5-8'."""
    inside = [i + 1 for i, v in enumerate(values) if low <= v <= high]
    if not inside:
        return "no layer"
    runs, start = [], inside[0]
    for previous, layer in zip(inside, inside[1:] + [None]):
        if layer != previous + 1:
            runs.append(str(start) if start == previous else f"{start}-{previous}")
            start = layer
    return ("layer " if len(inside) == 1 else "layers ") + ", ".join(runs)


def tables(result: dict, published: dict) -> List[dict]:
    """Print and return: the metrics table beside the published one; the probes at init."""
    rows = []
    for metric, key in (("Initial loss", "initial"), ("Final loss", "final"),
                        ("Loss reduction (%)", "reduction")):
        row = [value for family in NAMES
               for value in (result[family][key], published[family][key])]
        if key == "reduction":  # the seed prints percentages to one decimal
            row = [f"{value:.1f}" for value in row]
        rows.append([metric] + row)
    columns = ["metric"] + [f"{NAMES[f]} ({who})" for f in NAMES for who in ("ours",
                                                                              "published")]
    note = (f"{result['depth']} layers, dim {result['dim']}, Adam lr {result['lr']:g}, "
            f"{result['steps']} steps, batch {result['batch_size']}, seed {result['seed']}. "
            f"Final = the loss of the last step's batch. PlainMLP predicts about 0, so its loss "
            f"is E[x^2] = 1/3 throughout." + _spread_note(result, published))
    metrics = make_table("Distant identity: ours beside seed 001's metrics table", columns,
                         rows, note)
    plain_init, res_init = result["plain"]["at_init"], result["residual"]["at_init"]
    low, high = published["residual_activation_std"]
    layers_note = (
        f"h is a layer's output: ||dL/dh|| is the gradient that reaches layer h on the way "
        f"back. Published PlainMLP gradient: {published['plain_grad_norm_layer1']:g} at layer 1, "
        f"~{published['plain_grad_norm_layer20']:g} at layer {result['depth']}; ours (||dL/dh||) "
        f"{plain_init['output_grad_norm'][0]:.1e} and {plain_init['output_grad_norm'][-1]:.1e}: "
        f"the same collapse over many orders of magnitude, the exact values depend on the seed "
        f"and on what is measured. The plain ||dL/dW|| is tiny at every layer because the "
        f"forward signal that multiplies it has died too. Published ResMLP: ~"
        f"{published['residual_grad_norm']:g} at every layer; ours is flat within a factor "
        f"{max(res_init['output_grad_norm']) / min(res_init['output_grad_norm']):.0f} but "
        f"larger (its initial loss is {result['residual']['initial']:.1f}). The published "
        f"ResMLP activation std '{low}-{high}' is the std of the branch relu(Wx + b) (ours "
        f"in that range at "
        f"{_layers_within(res_init['branch_std'], low, high)}; from "
        f"{min(res_init['branch_std']):.2f} to {max(res_init['branch_std']):.2f} over all "
        f"layers), not of the residual stream x + relu(Wx + b) "
        f"({min(res_init['output_std']):.2f} to {max(res_init['output_std']):.2f}).")
    per_layer = make_table(
        "Per layer at initialisation (one batch): activation std and gradient norms",
        ["layer", "plain std(h)", "residual std(h) (stream)", "residual std(branch)",
         "plain ||dL/dh||", "residual ||dL/dh||", "plain ||dL/dW||", "residual ||dL/dW||"],
        _layer_rows(result), layers_note)
    for table in (metrics, per_layer):
        print(format_table(table) + "\n")
    return [metrics, per_layer]


def figures(runs: dict, args: argparse.Namespace) -> List[str]:
    """The four figures of seed 001, saved under args.out; their paths."""
    from .plotting import PLAIN_COLOR, RESIDUAL_COLOR, save_figure, subplots

    colors = {"plain": PLAIN_COLOR, "residual": RESIDUAL_COLOR}
    paths = []
    fig, ax = subplots()
    for family, run in runs.items():
        ax.plot(range(1, len(run["losses"]) + 1), run["losses"], color=colors[family],
                label=NAMES[family])
    ax.set(yscale="log", xlabel="Adam step", ylabel="training loss: MSE(output, x) (log scale)",
           title="Training loss")
    ax.legend()
    paths.append(save_figure(fig, args.out, "distant_identity_loss"))

    layers = np.arange(1, args.depth + 1)
    fig, ax = subplots()
    for when, style in (("before", "-"), ("after", ":")):
        label = "at init" if when == "before" else f"after {args.steps} steps"
        ax.plot(layers, runs["plain"][when]["output_std"], style, color=colors["plain"],
                label=f"PlainMLP output relu(Wx+b), {label}")
        ax.plot(layers, runs["residual"][when]["output_std"], style, color=colors["residual"],
                label=f"ResMLP stream x+relu(Wx+b), {label}")
        ax.plot(layers, runs["residual"][when]["branch_std"], style, color="tab:cyan",
                label=f"ResMLP branch relu(Wx+b), {label}")
    ax.set(yscale="log", xlabel="layer", ylabel="std of the activation (log scale)",
           title="Activation std per layer")
    ax.legend(fontsize=7)
    paths.append(save_figure(fig, args.out, "distant_identity_activation_std"))

    fig, axes = subplots(1, 2, sharey=True)
    for ax, key, what in ((axes[0], "output_grad_norm", "||dL/dh||, h = the layer's output"),
                          (axes[1], "weight_grad_norm", "||dL/dW|| of the layer's weight")):
        for family in runs:
            for when, style in (("before", "o-"), ("after", "x:")):
                label = "at init" if when == "before" else f"after {args.steps} steps"
                ax.plot(layers, runs[family][when][key], style, color=colors[family],
                        label=f"{NAMES[family]}, {label}")
        ax.set(yscale="log", xlabel="layer", title=f"Gradient norm per layer: {what}")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("gradient L2 norm, one batch (log scale)")
    paths.append(save_figure(fig, args.out, "distant_identity_grad_norm"))

    paths.append(_heatmaps(runs, args))
    return paths


def _heatmaps(runs: dict, args: argparse.Namespace) -> str:
    """log10 |activation| of the first sample, first 32 features, one row per layer, on one
    colour scale for both nets (a linear scale would show the plain net as blank)."""
    from .plotting import save_figure, subplots

    grids = {family: np.log10(np.abs(np.array([a[0, :32] for a in run["before"]["activations"]]))
                              + 1e-300) for family, run in runs.items()}
    low = max(min(float(g[np.isfinite(g)].min()) for g in grids.values()), -20.0)
    high = max(float(g.max()) for g in grids.values())
    fig, axes = subplots(1, 2, size=(5.0, 4.5))
    for ax, (family, grid) in zip(axes, grids.items()):
        image = ax.imshow(np.clip(grid, low, high), aspect="auto", cmap="viridis",
                          vmin=low, vmax=high, origin="lower",
                          extent=(-0.5, grid.shape[1] - 0.5, 0.5, grid.shape[0] + 0.5))
        what = "relu(Wx+b)" if family == "plain" else "stream x+relu(Wx+b)"
        ax.set(xlabel="feature (first 32)", ylabel="layer",
               title=f"{NAMES[family]}: layer output {what}")
    fig.colorbar(image, ax=axes[1], label="log10 |activation| at init (one sample)")
    return save_figure(fig, args.out, "distant_identity_heatmaps")
