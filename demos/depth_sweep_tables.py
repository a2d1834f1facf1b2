"""The depth sweep's output: the seed's table as the seed prints it, our numbers beside the
published ones (with what agrees and what does not), and the two figures.
Used by demos/depth_sweep.py, which does the training.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import List, Optional

from .tables import format_table, make_table

FAMILIES = ("plain", "residual")
# plain depth 10 moves in the 6th decimal with summation order (REPRODUCTION.md)
CHAOTIC_TOLERANCE = 2e-5


def describe(run: dict) -> object:
    """A run's final loss, or a short account of its divergence."""
    if run["diverged"] is None:
        return run["final"]
    d = run["diverged"]
    return f"diverged (overflow at epoch {d['epoch']}, sample {d['sample']})"


def print_seed_table(result: dict) -> None:
    """The baseline line and the table, exactly as seed 000's script prints them."""
    print(f"baseline loss (predict all zeros): {result['baseline']:.6f}")
    print("depth | plain final loss | residual final loss")
    print("------ | ------------------ | --------------------")
    runs = {(r["family"], r["depth"]): r for r in result["runs"]}
    for depth in result["depths"]:
        cells = []
        for family in FAMILIES:
            value = describe(runs[(family, depth)])
            cells.append(f"{value:.6f}" if isinstance(value, float) else "diverged")
        print(f"{depth} | {cells[0]} | {cells[1]}")
    print()


def _same_setting(result: dict, published: dict) -> bool:
    keys = ("epochs", "lr", "width", "points")
    return (all(result[k] == published[k] for k in keys)
            and (result["network_seed"], result["data_seed"]) == (13, 91))


def _published(published: dict, family: str, depth: int) -> Optional[float]:
    if depth not in published["depths"]:
        return None
    return published[family][published["depths"].index(depth)]


def _agreement_note(result: dict, published: dict) -> str:
    """Which cells agree with the published ones to 6 decimals, which nearly, which not."""
    if not _same_setting(result, published):
        return (f"The published numbers are for {published['epochs']} epochs, lr "
                f"{published['lr']}, width {published['width']}, {published['points']} points, "
                f"seeds 13/91; this run differs, so compare the shape only.")
    exact, near, off, diverged = [], [], [], []
    for run in result["runs"]:
        reference = _published(published, run["family"], run["depth"])
        if reference is None:
            continue
        name = f"{run['family']} {run['depth']}"
        if run["diverged"] is not None:
            diverged.append(f"{name}: {describe(run)}")
        elif round(run["final"], 6) == reference:
            exact.append(name)
        elif abs(run["final"] - reference) <= CHAOTIC_TOLERANCE:
            near.append(f"{name} (off by {abs(run['final'] - reference):.1e})")
        else:
            off.append(f"{name} ({run['final']:.6f})")
    parts = [f"Agree to 6 decimals: {', '.join(exact) or 'none'}."]
    if near:
        parts.append(f"Within {CHAOTIC_TOLERANCE:g}: {', '.join(near)}. Plain depth 10 is "
                     f"chaotic in the 6th decimal: float64 implementations that sum in other "
                     f"orders give 0.83710 to 0.83711 (REPRODUCTION.md).")
    if off:
        parts.append(f"Differ: {', '.join(off)}.")
    if diverged:
        parts.append(f"Do not reproduce: {'; '.join(diverged)}. The seed's recipe overflows "
                     f"there in pure Python, numpy and PyTorch float64 alike (REPRODUCTION.md).")
    return " ".join(parts)


def comparison_tables(result: dict, published: dict) -> List[dict]:
    """Print and return the tables: ours beside published, the rescued cells, and autodiff
    vs hand-written backprop."""
    runs = {(r["family"], r["depth"]): r for r in result["runs"]}
    rows = [[depth] + [value for family in FAMILIES
                       for value in (describe(runs[(family, depth)]),
                                     _published(published, family, depth))]
            for depth in result["depths"]]
    note = (f"Baseline (predict all zeros): ours {result['baseline']:.6f}, published "
            f"{published['baseline']:.6f}. " + _agreement_note(result, published))
    tables = [make_table(f"Final loss after {result['epochs']} epochs: ours beside seed 000's "
                         f"published table",
                         ["depth", "plain (ours)", "plain (published)", "residual (ours)",
                          "residual (published)"], rows, note)]
    if result["rescue"]:
        tables.append(_rescue_table(result, published))
    if "autodiff_vs_manual" in result:
        tables.append(_agreement_table(result["autodiff_vs_manual"]))
    for table in tables:
        print(format_table(table) + "\n")
    return tables


def _rescue_table(result: dict, published: dict) -> dict:
    rows = []
    diverged = [r for r in result["runs"] if r["diverged"] is not None]
    for i, run in enumerate(diverged + result["rescue"]):
        change = f"lr {run['lr']:g}" + (f", gradient norm clipped to {run['clip']:g}"
                                        if run["clip"] else "")
        if i < len(diverged):
            change += " (the seed's recipe)"
        rows.append([f"{run['family']} depth {run['depth']}", change, describe(run),
                     _published(published, run["family"], run["depth"])])
    note = " ".join(_rescue_sentence(run, result, published) for run in result["rescue"])
    return make_table("What makes the diverging cells train",
                      ["network", "change", "final loss (ours)", "published"], rows, note)


def _rescue_sentence(run: dict, result: dict, published: dict) -> str:
    """What one rescue run shows: trained or not, against the baseline and the published."""
    how = (f"with the gradient norm clipped to {run['clip']:g} at lr {run['lr']:g}"
           if run["clip"] else f"at lr {run['lr']:g}")
    name = f"{run['family'].capitalize()} depth {run['depth']} {how}"
    if run["diverged"] is not None:
        return f"{name} diverges too."
    reference = _published(published, run["family"], run["depth"])
    verdict = ("trains" if run["final"] < 0.1 * result["baseline"] else
               "avoids the overflow but is still far from trained")
    match = ("" if reference is None else
             f", {'matching' if round(run['final'], 6) == reference else 'not'} the published "
             f"{reference:.6f}")
    return (f"{name} {verdict}: {run['final']:.6f} after {run['epochs']} epochs (baseline "
            f"{result['baseline']:.6f}){match}.")


def _agreement_table(agreement: dict) -> dict:
    rows = [[f"{c['family']} depth {c['depth']}", f"lr {c['lr']:g}" +
             (f", clip {c['clip']:g}" if c["clip"] else ""), c["epochs_compared"],
             f"{c['max_abs_diff']:.1e}"] for c in agreement["cells"]]
    return make_table("Autodiff vs hand-written backprop (nets/manual.py): largest difference "
                      "between the two loss curves",
                      ["network", "setting", "epochs compared", "max |difference| per epoch"],
                      rows, f"Largest over all cells: {agreement['max_abs_diff']:.1e} (the "
                            f"test requires at most 1e-9). Diverged runs are compared up to "
                            f"the divergence, and must diverge at the same sample.")


def figures(result: dict, published: dict, out: Path) -> List[str]:
    """Loss curves per depth (log scale), and final loss against depth beside the published."""
    from matplotlib.ticker import MaxNLocator

    from .plotting import PLAIN_COLOR, RESIDUAL_COLOR, save_figure, subplots

    fig, axes = subplots(1, 2, sharey=True)
    for ax, family in zip(axes, FAMILIES):
        for run in (r for r in result["runs"] if r["family"] == family):
            epochs = range(1, len(run["curve"]) + 1)
            label = f"depth {run['depth']}"
            if run["diverged"]:
                label += f" (diverged in epoch {run['diverged']['epoch']})"
            line, = ax.plot(epochs, run["curve"], label=label)
            if run["diverged"] and run["curve"]:  # mark where the curve stops
                ax.plot([len(run["curve"])], [run["curve"][-1]], "x", color=line.get_color(),
                        markersize=10)
        ax.axhline(result["baseline"], color="gray", linestyle="--", label="baseline (zeros)")
        ax.set(yscale="log", xlabel="epoch", title=f"{family}: training loss (MSE, epoch mean)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=8)
    axes[0].set_ylabel("loss (log scale)")
    paths = [save_figure(fig, out, "depth_sweep_curves")]

    fig, ax = subplots()
    for family, color in zip(FAMILIES, (PLAIN_COLOR, RESIDUAL_COLOR)):
        ax.plot(result["depths"], result[family], "o-", color=color, label=f"{family} (ours)")
        ax.plot(published["depths"], published[family], "s--", color=color, fillstyle="none",
                label=f"{family} (published)")
    for run in result["rescue"]:
        how = f"clip {run['clip']:g}" if run["clip"] else f"lr {run['lr']:g}"
        ax.plot([run["depth"]], [run["final"]], "^", label=f"{run['family']}, {how}")
    ax.axhline(result["baseline"], color="gray", linestyle=":", label="baseline (zeros)")
    ax.set(xscale="log", yscale="log", xlabel="depth (layers)",
           ylabel="final training loss (log scale)",
           title=f"Final loss after {result['epochs']} epochs (missing point: diverged)")
    ax.legend(fontsize=8)
    paths.append(save_figure(fig, out, "depth_sweep_final"))
    return paths
