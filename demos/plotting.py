"""matplotlib for the demos: the Agg backend (files only, no window), and one way to save.

    >>> fig, ax = subplots()
    >>> ax.plot([1, 2, 3])
    >>> save_figure(fig, Path("out"), "example")      # -> "out/example.png", figure closed
"""
from __future__ import annotations

from pathlib import Path
from typing import Tuple

import matplotlib

matplotlib.use("Agg")  # before pyplot: demos run in terminals, CI and tests with no display

import matplotlib.pyplot as plt  # noqa: E402  (must follow the backend choice)

PLAIN_COLOR, RESIDUAL_COLOR = "tab:red", "tab:blue"


def subplots(nrows: int = 1, ncols: int = 1, size: Tuple[float, float] = (6.0, 4.0), **kwargs):
    """plt.subplots with `size` per panel, so a row of panels keeps each panel readable."""
    figsize = (size[0] * ncols, size[1] * nrows)
    return plt.subplots(nrows, ncols, figsize=figsize, **kwargs)


def save_figure(fig, out: Path, name: str, dpi: int = 110) -> str:
    """Save `fig` as `out/name.png`, close it (figures hold memory until closed), return the
    path as a string (JSON-able, for the "figures" list of a demo's result)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return str(path)
