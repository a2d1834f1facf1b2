"""The explorers' page, live or replayed: one HTML file with its style, script and data inside.

explorer.html is the template; explorer.css, plots.js and explorer.js are inlined into it, and
a JSON blob says which mode the page is in. Live, the page talks to the server that served it;
as a replay (the report), it carries precomputed runs and plays them back with the same
controls. Nothing is loaded from anywhere else.

    >>> html = live_page()                              # served by demos/explorer/server.py
    >>> html = replay_page(grid_data)                   # written by demos/explore_replay.py
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from .config import RunConfig, control_spec

_HERE = Path(__file__).parent
TITLE = "Plain vs residual networks: degradation and gradient flow"
ABOUT = ("Tasks: two spirals (seed 004), the identity on 32 Gaussian vectors (seed 000), the "
         "distant identity on fresh Uniform(-1, 1) batches (seed 001), scikit-learn's 8x8 "
         "digits. depth counts the layers (or two-layer blocks) of the stack a skip can "
         "bridge; the spirals and digits nets add an input and an output layer. A plain and a "
         "residual run of one seed start from the same draws (with 'kaiming_scaled', the "
         "residual one's stack divided by sqrt(depth), seed 000's recipe). A run diverges "
         "when its loss stops being a finite number.")
LIVE_BANNER = ("Live: every run trains in the tinygrad_res engine on this machine, in the "
               "server started by `python -m demos explore`, and streams here step by step. "
               "One run at a time per page; Stop, Reset or closing the page ends it.")


def _json_for_script(data) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(data, allow_nan=False).replace("</", "<\\/")


def explorer_page(data: dict) -> str:
    """The page for `data` ({"mode", "spec", "banner", "about", and "replay" for a replay})."""
    parts = {"/*STYLE*/": (_HERE / "explorer.css").read_text(encoding="utf-8"),
             "/*SCRIPT*/": "\n".join((_HERE / name).read_text(encoding="utf-8")
                                     for name in ("plots.js", "explorer.js")),
             "__TITLE__": html.escape(TITLE), "__DATA__": _json_for_script(data)}
    template = (_HERE / "explorer.html").read_text(encoding="utf-8")
    # one pass, so that text inside a part is never replaced again
    return re.sub(r"/\*(STYLE|SCRIPT)\*/|__(TITLE|DATA)__",
                  lambda match: parts[match.group(0)], template)


def live_page(defaults: RunConfig = RunConfig()) -> str:
    """The page the live server serves at /, its controls set to `defaults`."""
    return explorer_page({"mode": "live", "spec": control_spec(defaults),
                          "banner": LIVE_BANNER, "about": ABOUT})


def replay_page(replay: dict, spec: dict, banner: str) -> str:
    """The offline page: `replay` holds the runs, `spec` the controls (grid axes as choices,
    the rest fixed), `banner` says that it is a replay and how to get the live app."""
    return explorer_page({"mode": "replay", "spec": spec, "banner": banner, "about": ABOUT,
                          "replay": replay})


def block_page_or_reason() -> tuple:
    """(200, seed 003's block-and-reach page), or (503, a page saying what is missing)."""
    from .block_page import block_and_reach_html
    try:
        return 200, block_and_reach_html()
    except Exception as error:  # no graphviz package or renderer: say which, keep serving
        reason = html.escape(f"{type(error).__name__}: {error}")
        return 503, (f"<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Block and "
                     f"reach</title><body><h1>The block stepper cannot be drawn here</h1><p>"
                     f"{reason}</p><p>It needs the graphviz package and a renderer: pip install "
                     f"-e \".[viz]\".</p></body></html>")
