"""Seed 003's "See the block, and the reach" on one page: the block stepper, and beneath it the
two columns of layers that compare how far a gradient reaches.

The stepper is tinygrad_res.viz.stepper_html for demos/stepper.py's residual block, shown as it
is in an iframe (its own page, untouched); the columns are demos/gradient_reach.py's measurement
at PyTorch's default init (seed 003's picture: a unit gradient sent in at the top, ||dL/d(input
of layer k)|| per layer), drawn here as inline SVG on a log colour scale. No script is needed
for the columns: the values are in each cell's tooltip.

    >>> Path("out/block_and_reach.html").write_text(block_and_reach_html())
"""
from __future__ import annotations

import html
import math
from typing import Dict, List, Sequence

# matplotlib's "magma" at five stops, as plots.js draws the live columns
MAGMA = ((0, 0, 4), (81, 18, 124), (183, 55, 121), (252, 137, 97), (252, 253, 191))
SEED_TEXT = ("Step through the block: the input x splits, one copy runs through the "
             "transformation F, the skip carries the original straight across, and the two "
             "are summed at the end. Below the block, two columns of layers compare how far a "
             "gradient reaches: in a plain stack it fades to nothing toward the bottom; with "
             "skips it stays bright all the way down.")
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 0 auto; padding: 0.6em 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.35em; margin: 0.3em 0; } h2 { font-size: 1.1em; margin: 1em 0 0.3em; }
.lead { font-style: italic; color: #444; max-width: 62em; }
iframe { width: 100%; height: 620px; border: 1px solid #ccc; }
.reach { display: flex; gap: 2em; align-items: flex-start; flex-wrap: wrap; }
.reach svg text { font-size: 12px; fill: #333; }
.note { font-size: 0.88em; color: #444; max-width: 40em; }
"""


def magma(t: float) -> str:
    """The colour at t in [0, 1] of the magma map, as 'rgb(r,g,b)'."""
    t = min(1.0, max(0.0, t)) * (len(MAGMA) - 1)
    i = min(len(MAGMA) - 2, int(t))
    f = t - i
    r, g, b = (round(a + f * (z - a)) for a, z in zip(MAGMA[i], MAGMA[i + 1]))
    return f"rgb({r},{g},{b})"


def log_domain(values: Sequence[float]) -> tuple:
    """Whole decades (lo, hi) of log10 around the positive finite values."""
    logs = [math.log10(v) for v in values if v > 0 and math.isfinite(v)]
    if not logs:
        return -1, 0
    lo, hi = math.floor(min(logs)), math.ceil(max(logs))
    return lo, max(hi, lo + 1)


def _colour(value: float, domain: tuple) -> str:
    if not math.isfinite(value):
        return "#e0301e"
    if value <= 0:
        return magma(0.0)
    return magma((math.log10(value) - domain[0]) / (domain[1] - domain[0]))


def reach_svg(columns: Dict[str, List[float]], height: int = 440) -> str:
    """Columns of layers side by side (layer 1 at the bottom), coloured on one log scale,
    with a colour bar. `columns` maps a caption to the values per layer, bottom first."""
    domain = log_domain([v for values in columns.values() for v in values])
    depth = max(len(values) for values in columns.values())
    top, bottom, cell_w, gap, left = 24, 8, 90, 40, 34
    cell_h = (height - top - bottom) / depth
    parts = []
    for c, (caption, values) in enumerate(columns.items()):
        x = left + c * (cell_w + gap)
        parts.append(f'<text x="{x + cell_w / 2}" y="16" text-anchor="middle" '
                     f'font-weight="bold">{html.escape(caption)}</text>')
        for k, value in enumerate(values):
            y = top + (depth - 1 - k) * cell_h
            parts.append(f'<rect class="layer" data-layer="{k + 1}" data-norm="{value:.6g}" '
                         f'x="{x}" y="{y:.2f}" width="{cell_w}" height="{cell_h - 1:.2f}" '
                         f'fill="{_colour(value, domain)}"><title>{html.escape(caption)}, '
                         f'layer {k + 1}: {value:.3g}</title></rect>')
    every = max(1, math.ceil(depth / 10))
    for k in range(0, depth, every):
        y = top + (depth - k - 0.5) * cell_h + 4
        parts.append(f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end">{k + 1}</text>')
    bar_x = left + len(columns) * (cell_w + gap)
    bands = 48
    band_h = (height - top - bottom) / bands
    for i in range(bands):
        parts.append(f'<rect x="{bar_x}" y="{top + (bands - 1 - i) * band_h:.2f}" width="18" '
                     f'height="{band_h + 0.5:.2f}" fill="{magma((i + 0.5) / bands)}"/>')
    step = max(1, math.ceil((domain[1] - domain[0]) / 10))
    for d in range(domain[0], domain[1] + 1, step):
        y = top + (height - top - bottom) * (domain[1] - d) / (domain[1] - domain[0])
        parts.append(f'<text x="{bar_x + 24}" y="{y + 4:.1f}">1e{d}</text>')
    width = bar_x + 70
    return (f'<svg id="reach-columns" xmlns="http://www.w3.org/2000/svg" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="gradient norm per layer">{"".join(parts)}</svg>')


def compose(stepper_page: str, reach: Dict[str, List[float]], depth: int, width: int) -> str:
    """The page: title, seed 003's sentence, the stepper in an iframe, the reach beneath."""
    plain, residual = reach["plain"], reach["residual"]
    note = (f"A unit gradient is sent into the top of a stack of {depth} layers of width "
            f"{width} (PyTorch's default Linear init); each cell is ||dL/d(input of layer k)||, "
            f"layer 1 at the bottom. Plain, x -> relu(Wx + b): {plain[-1]:.3g} at the top "
            f"layer, {plain[0]:.3g} at the bottom. Residual, x -> x + relu(Wx + b): "
            f"{residual[-1]:.3g} at the top, {residual[0]:.3g} at the bottom. The numbers are "
            f"computed by `python -m demos gradient_reach`, which also shows He init.")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>See the block, and the reach</title><style>{STYLE}</style></head><body>'
            f'<h1>See the block, and the reach</h1><p class="lead">{html.escape(SEED_TEXT)}</p>'
            f'<h2>The block: y = x + relu(W x + b), forward and backward one op at a time</h2>'
            f'<iframe id="block-stepper" title="step through a residual block" '
            f'srcdoc="{html.escape(stepper_page, quote=True)}"></iframe>'
            f'<h2>The reach: how far down the gradient gets</h2><div class="reach">'
            f'{reach_svg({"plain": plain, "residual": residual})}'
            f'<p class="note">{html.escape(note)}</p></div></body></html>\n')


def block_and_reach_html(blocks: int = 1, width: int = 3, depth: int = 20,
                         reach_width: int = 16, seed: int = 0) -> str:
    """Seed 003's whole view: the stepper of demos/stepper.py's block (`blocks` residual
    layers of `width`) and the reach of a `depth`-layer stack of `reach_width`."""
    from tinygrad_res import viz

    from ..stepper import STEPPER_TITLE, residual_block_loss

    loss, model = residual_block_loss(blocks, width, seed)
    page = viz.stepper_html(loss, names=list(model.named_parameters()), title=STEPPER_TITLE)
    return compose(page, reach_columns(depth, reach_width, seed), depth, reach_width)


def reach_columns(depth: int, width: int, seed: int, batch: int = 32) -> Dict[str, list]:
    """{"plain": [...], "residual": [...]}: demos/gradient_reach.py's default-init numbers."""
    from ..gradient_reach import measure_reach
    measured = measure_reach(depth, width, batch, seed, inits=("default",))
    return {"plain": measured["default", False]["input_grad"],
            "residual": measured["default", True]["input_grad"]}
