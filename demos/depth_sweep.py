"""Seed 000's depth sweep: plain vs residual networks of depth 5, 10, 20, 50, 100, width 8,
trained on the identity task (32 vectors, target = input) by per-sample SGD, lr 0.01, 200
epochs. Prints the seed's table, the seed's published numbers beside ours, what makes the
diverging cells train, and how far autodiff and hand-written backprop are apart.

    python -m demos depth_sweep                    # the full sweep (minutes: see README)
    python -m demos depth_sweep --quick            # depths 5 and 50, 3 epochs
    python -m demos depth_sweep --depths 5 20 --epochs 50 --jobs 2 --json out/sweep.json
"""
from __future__ import annotations

import argparse
import math
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import List, Sequence

import numpy as np

import nets

from .cli import Progress, make_main
from .depth_sweep_core import METHODS, Cell, max_curve_difference, run_cell
from .depth_sweep_tables import comparison_tables, figures, print_seed_table

SUMMARY = ("Seed 000: final loss of plain vs residual nets at depth 5-100 (per-sample SGD), "
           "beside the published table; autodiff vs hand-written backprop")

# Seed 000's printed output, copied from its text: the reference we compare against (data).
PUBLISHED = {"baseline": 1.076610, "depths": [5, 10, 20, 50, 100],
             "plain": [0.816251, 0.837104, 0.985561, 1.076610, 1.076610],
             "residual": [0.000079, 0.000278, 0.003853, 0.078597, 0.003866],
             "epochs": 200, "lr": 0.01, "width": 8, "points": 32}

QUICK_DEPTHS, QUICK_EPOCHS = [5, 50], 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depths", type=int, nargs="+", default=None,
                        help="depths to sweep (default: 5 10 20 50 100; --quick: 5 50)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per network (default: 200; --quick: 3)")
    parser.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (0.01)")
    parser.add_argument("--width", type=int, default=8, help="features per layer (8)")
    parser.add_argument("--points", type=int, default=32, help="data points (32)")
    parser.add_argument("--seed", type=int, default=13,
                        help="network seed: random.seed before each network (13)")
    parser.add_argument("--data-seed", type=int, default=91,
                        help="data seed: random.seed before the data (91)")
    parser.add_argument("--rescue-lr", type=float, default=1e-4,
                        help="for each diverged cell, also train it at this learning rate "
                             "(default 1e-4; 0 to skip)")
    parser.add_argument("--rescue-clip", type=float, default=10.0,
                        help="for each diverged cell, also train it at --lr with the "
                             "gradient norm clipped to this (default 10; 0 to skip)")
    parser.add_argument("--no-manual", action="store_true",
                        help="skip the cross-check with hand-written backprop (it adds about "
                             "a third to the time)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="processes to train cells in parallel (default 1)")


def _run_cells(cells: Sequence[Cell], data: np.ndarray, methods: Sequence[str],
               jobs: int, desc: str) -> List[dict]:
    """Train every cell by every method; the results in the order cells x methods."""
    tasks = [(cell, method) for cell in cells for method in methods]
    results: List[dict] = [{} for _ in tasks]
    with Progress(total=sum(cell.epochs for cell, _ in tasks), desc=desc) as bar:
        if jobs <= 1:
            for i, (cell, method) in enumerate(tasks):
                results[i] = _timed(cell, data, method, bar.update)
            return results
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            # deepest first, so the last job to start is a short one
            order = sorted(range(len(tasks)), key=lambda i: -tasks[i][0].depth)
            futures = {pool.submit(_timed, tasks[i][0], data, tasks[i][1]): i for i in order}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                bar.update(tasks[i][0].epochs)
    return results


def _timed(cell: Cell, data: np.ndarray, method: str, on_epoch=None) -> dict:
    start, cpu_start = time.perf_counter(), time.process_time()
    result = run_cell(cell, data, method, on_epoch)
    # CPU seconds too: on a shared 2-core machine the wall clock says more about the neighbours
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time() - cpu_start
    return result


def _rescue_cells(diverged: Sequence[Cell], args: argparse.Namespace) -> List[Cell]:
    """For each diverged cell: the same cell at a smaller learning rate, and with clipping."""
    cells = []
    for cell in diverged:
        if args.rescue_lr > 0:
            cells.append(Cell(cell.family, cell.depth, cell.epochs, args.rescue_lr,
                              cell.width, cell.network_seed))
        if args.rescue_clip > 0:
            cells.append(Cell(cell.family, cell.depth, cell.epochs, cell.lr, cell.width,
                              cell.network_seed, clip=args.rescue_clip))
    return cells


def _agreement(runs: List[dict]) -> dict:
    """Largest per-epoch loss difference between autodiff and manual, per cell and overall."""
    by_cell = {}
    for run in runs:
        key = (run["family"], run["depth"], run["lr"], run["clip"])
        by_cell.setdefault(key, {})[run["method"]] = run
    cells = [{"family": f, "depth": d, "lr": lr, "clip": clip,
              "max_abs_diff": max_curve_difference(pair["autodiff"], pair["manual"]),
              "epochs_compared": min(len(pair["autodiff"]["curve"]), len(pair["manual"]["curve"]))}
             for (f, d, lr, clip), pair in by_cell.items() if len(pair) == 2]
    overall = max((c["max_abs_diff"] for c in cells), default=math.nan)
    return {"cells": cells, "max_abs_diff": overall}


def run(args: argparse.Namespace) -> dict:
    depths = args.depths or (QUICK_DEPTHS if args.quick else PUBLISHED["depths"])
    epochs = args.epochs or (QUICK_EPOCHS if args.quick else PUBLISHED["epochs"])
    data = nets.data.identity_data(args.points, args.width, args.data_seed)
    baseline = nets.data.zero_prediction_loss(data)
    methods = METHODS[:1] if args.no_manual else METHODS
    cells = [Cell(family, depth, epochs, args.lr, args.width, args.seed)
             for family in ("plain", "residual") for depth in depths]

    start = time.perf_counter()
    runs = _run_cells(cells, data, methods, args.jobs, "depth sweep")
    autodiff = [r for r in runs if r["method"] == "autodiff"]
    diverged = [cell for cell, r in zip(cells, autodiff) if r["diverged"] is not None]
    rescue_runs = _run_cells(_rescue_cells(diverged, args), data, methods, args.jobs,
                             "diverged cells, rescued")
    seconds = time.perf_counter() - start

    final = {family: [r["final"] for r in autodiff if r["family"] == family]
             for family in ("plain", "residual")}
    result = {"baseline": baseline, "depths": list(depths), "plain": final["plain"],
              "residual": final["residual"], "epochs": epochs, "lr": args.lr,
              "width": args.width, "points": args.points, "network_seed": args.seed,
              "data_seed": args.data_seed, "published": PUBLISHED,
              "runs": autodiff, "rescue": [r for r in rescue_runs if r["method"] == "autodiff"],
              "seconds": seconds,
              "cpu_seconds_by_method": {m: sum(r["cpu_seconds"] for r in runs + rescue_runs
                                               if r["method"] == m) for m in methods}}
    if not args.no_manual:
        result["manual_runs"] = [r for r in runs + rescue_runs if r["method"] == "manual"]
        result["autodiff_vs_manual"] = _agreement(runs + rescue_runs)

    print_seed_table(result)
    result["tables"] = comparison_tables(result, PUBLISHED)
    result["figures"] = figures(result, PUBLISHED, args.out)
    print(f"figures: {', '.join(result['figures'])}")
    print(f"time: {seconds:.1f} s wall; CPU " + ", ".join(
        f"{m} {s:.1f} s" for m, s in result["cpu_seconds_by_method"].items()))
    return result


main = make_main(__name__)

if __name__ == "__main__":
    main()
