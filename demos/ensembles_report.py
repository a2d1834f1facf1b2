"""demos/ensembles.py's tables and figure: the lesion study and the gradient per path length."""
from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np

from .tables import format_table, make_table


def _cell(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def tables(result: dict) -> List[dict]:
    """Print and return: the error with each block deleted; the gradient per path length."""
    lesions, paths, n = result["lesions"], result["paths"], result["blocks"]
    rows = [["none (intact)", "", _cell(lesions["residual"]["intact"]),
             _cell(lesions["plain"]["intact"])]]
    for i, kind in enumerate(lesions["residual"]["kinds"]):
        rows.append([f"block {i + 1}", kind, _cell(lesions["residual"]["deleted"][i]),
                     _cell(lesions["plain"]["deleted"][i])])
    records = result["training"]
    lesion = make_table(
        f"Test error % of the trained ResNet-{result['depth']} and plain-{result['depth']} with "
        f"one block deleted at test time", ["deleted", "residual keeps", "ResNet", "plain"],
        rows, note=(f"Trained {result['epochs']} epochs (final training error: ResNet "
                    f"{100 * records['residual']['final_train_error']:.2f}%, plain "
                    f"{100 * records['plain']['final_train_error']:.2f}%). A deleted plain block "
                    f"is replaced by the identity, which does not exist where the block changes "
                    f"the shape (-). Veit et al. 2016 (Fig. 3, CIFAR-10): deleting a block of a "
                    f"ResNet barely moves its error, deleting a layer of VGG sends it to chance "
                    f"(90%); the seed publishes no numbers."))
    path_rows = [[k, paths["paths"][k], f"{result['binomial'][k]:.4f}",
                  f"{paths['mean_gradient'][k]:.3e}",
                  f"{paths['total'][k] / sum(paths['total']):.4f}"] for k in paths["lengths"]]
    gradient = make_table(
        f"Gradient per path length in the trained ResNet-{result['depth']} ({n} blocks, "
        f"{2 ** n} paths)",
        ["length k", "paths C(n, k)", "share of paths", "mean ||dL/dx|| of one path",
         "share of the total gradient"], path_rows,
        note=(f"A path of length k takes k blocks' branches and the other blocks' shortcuts; "
              f"{result['samples']} random paths per length (all of them where there are "
              f"fewer). Mean path length n/2 = {n / 2:g}; paths shorter than that carry "
              f"{100 * paths['short_share']:.1f}% of the total gradient magnitude, the most at "
              f"length {paths['peak_length']}. Veit et al. (ResNet-110, 54 blocks): most of "
              f"the gradient comes from paths 5-17 blocks long. Verdict: "
              f"{result['verdict']['text']}."))
    for table in (lesion, gradient):
        print(format_table(table) + "\n")
    return [lesion, gradient]


def spread(random: dict) -> list:
    """Error bars from the mean down to the min and up to the max. When every sample gives the
    same error, the mean can land a rounding error outside [min, max]: those bars are 0."""
    return [np.maximum(np.subtract(random["mean"], random["min"]), 0.0),
            np.maximum(np.subtract(random["max"], random["mean"]), 0.0)]


def plot(result: dict, out: Path) -> str:
    from .plotting import PLAIN_COLOR, RESIDUAL_COLOR, save_figure, subplots
    fig, axes = subplots(1, 3, size=(4.6, 3.8))
    lesions, paths = result["lesions"], result["paths"]
    blocks = np.arange(1, result["blocks"] + 1)
    for offset, family, colour in ((-0.2, "residual", RESIDUAL_COLOR),
                                   (0.2, "plain", PLAIN_COLOR)):
        values = [np.nan if v is None else v for v in lesions[family]["deleted"]]
        axes[0].bar(blocks + offset, values, width=0.4, color=colour, label=family)
        axes[0].axhline(lesions[family]["intact"], color=colour, ls=":", lw=1)
        random = lesions[family]["random"]
        axes[1].errorbar(random["k"], random["mean"], color=colour, marker="o", label=family,
                         yerr=spread(random), capsize=2)
    axes[0].set(title="one block deleted (dotted: intact)", xlabel="deleted block",
                ylabel="test error %")
    axes[1].set(title="k random identity blocks deleted", xlabel="blocks deleted k",
                ylabel="test error % (mean, min-max)")
    ax = axes[2]
    lengths = paths["lengths"]
    ax.bar(lengths, result["binomial"], color="lightgrey", label="share of paths C(n,k)/2^n")
    total = np.array(paths["total"]) / np.sum(paths["total"])
    ax.plot(lengths, total, "o-", color=RESIDUAL_COLOR, label="share of total gradient")
    ax.set(title="path length", xlabel="path length k (branches taken)", ylabel="share")
    twin = ax.twinx()
    twin.plot(lengths, paths["mean_gradient"], "s--", color="tab:orange",
              label="||dL/dx|| of one path")
    twin.set_yscale("log")
    twin.set_ylabel("gradient of one path (log)")
    for a in (axes[0], axes[1], ax):
        a.legend(fontsize="small", loc="upper left")
    twin.legend(fontsize="small", loc="upper right")
    return save_figure(fig, out, "ensembles")
