"""Run the headline set of demos and write one self-contained page, out/report.html: each
demo's tables (ours beside the published, with the notes on what does not reproduce), its
figures inlined, and the stepper page embedded. `make demo` runs this.

    python -m demos report                      # about 15 minutes on a loaded 2-core machine
    python -m demos report --quick              # every demo in its --quick form (seconds)
    python -m demos report --only depth_sweep distant_identity

A demo that is missing or fails does not stop the report: its section shows the error.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
import traceback
from pathlib import Path
from typing import List, Sequence

from . import DEMOS, load_demo
from .cli import build_parser, make_main
from .report_html import render_page
from .report_stories import story

SUMMARY = "Run the headline set of demos and write one self-contained page, out/report.html"

# How each demo runs for the report: reduced configurations, about 15 minutes in all on a loaded
# 2-core machine (measured: the depth sweep is about half of it). Each section shows the command
# it ran; the full versions are `python -m demos NAME` (README, "Demos").
REPORT_ARGS = {
    # all depths and the seed's 200 epochs, with the clipping rescue of depth 100; the
    # hand-written-backprop cross-check and the slow small-lr rescue are left to the full run
    "depth_sweep": ["--jobs", "2", "--no-manual", "--rescue-lr", "0"],
    "distant_identity": [],
    # the setting in which the degradation shows robustly, with enough seeds to say so (6/6
    # failures against 0/6 is p = 0.001); the full demo runs the seed's own setting too
    "spirals": ["--settings", "fast", "--seeds", "6", "--depths", "4", "32"],
    "block_jacobian": [],
    "pre_vs_post": [],
    "gradient_reach": [],
    "autodiff_vs_manual": [],
    "stepper": [],
    # the explorers' replay: its default grid (depths 4 16 32 x skip x 3 seeds, 200 steps)
    "explore_replay": ["--jobs", "2"],
    "degradation": ["--depths", "8", "20", "--epochs", "4"],
    "highway_vs_residual": ["--depths", "8", "32", "--seeds", "2", "--epochs", "5"],
    "residual_variants": ["--depths", "8", "32", "--seeds", "2", "--epochs", "5"],
    "ensembles": ["--depth", "14", "--epochs", "4", "--samples", "4", "--lesions", "5"],
    "resnet_family": [],
    "transformer_norm": ["--depths", "6", "18", "--seeds", "2", "--steps", "70"],
}
# the live app is a server, not a section: the replay section says how to start it
SECTIONS = tuple(name for name in DEMOS if name not in ("report", "explore"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=None, metavar="NAME",
                        help="run only these demos (default: all of them)")
    parser.add_argument("--page", type=Path, default=None, metavar="PATH",
                        help="where to write the page (default: OUT/report.html)")


class _Tee(io.TextIOBase):
    """Write to the terminal and keep a copy, so the report can show what a demo printed."""

    def __init__(self, stream) -> None:
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.stream.write(text)
        return self.copy.write(text)

    def flush(self) -> None:
        self.stream.flush()


def run_section(name: str, argv: Sequence[str], out: Path) -> dict:
    """Run demo `name` with `argv` (plus --out), catching any error; the report's section."""
    argv = list(argv)
    section = {"name": name, "argv": argv, "summary": "", "result": None, "error": None,
               "story": None}
    start, tee = time.perf_counter(), _Tee(sys.stdout)
    previous, sys.stdout = sys.stdout, tee
    try:
        module = load_demo(name)
        section["summary"] = module.SUMMARY
        args = build_parser(name).parse_args(argv + ["--out", str(out)])
        args.out.mkdir(parents=True, exist_ok=True)
        section["result"] = module.run(args)
        section["story"] = story(name, section["result"])
    except SystemExit as error:  # argparse rejects an option: report it, keep going
        section["error"] = f"{name}: bad options {argv}: exit status {error.code}"
    except Exception:  # any failure of one demo becomes its section's content
        section["error"] = traceback.format_exc()
    finally:
        sys.stdout = previous
    section["output"] = tee.copy.getvalue()
    section["seconds"] = time.perf_counter() - start
    return section


def run(args: argparse.Namespace) -> dict:
    names = args.only or SECTIONS
    page = args.page or args.out / "report.html"
    start = time.perf_counter()
    sections: List[dict] = []
    for name in names:
        argv = ["--quick"] if args.quick else REPORT_ARGS.get(name, [])
        print(f"== {name} {' '.join(argv)}", flush=True)
        sections.append(run_section(name, argv, args.out))
        status = "FAILED" if sections[-1]["error"] else "ok"
        print(f"== {name}: {status} ({sections[-1]['seconds']:.1f} s)\n", flush=True)
    seconds = time.perf_counter() - start
    quick_note = "Quick configurations (for tests): numbers are not comparable. "
    intro = (f"Every experiment of the seed texts, run on the tinygrad_res engine and nets, "
             f"with the published numbers beside ours and notes on what does not reproduce. "
             f"{quick_note if args.quick else ''}Each section shows the command it ran; "
             f"`python -m demos NAME` runs the full version. Built in {seconds:.0f} s.")
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_page(sections, page, "tinygrad_res: plain vs residual networks",
                                intro), encoding="utf-8")
    failed = [s["name"] for s in sections if s["error"]]
    print(f"report: {page.resolve()}" + (f"  (failed: {', '.join(failed)})" if failed else ""))
    return {"path": str(page), "seconds": seconds, "failed": failed,
            "sections": [{"name": s["name"], "argv": s["argv"], "seconds": s["seconds"],
                          "error": s["error"]} for s in sections],
            "tables": [], "figures": []}


main = make_main(__name__)

if __name__ == "__main__":
    main()
