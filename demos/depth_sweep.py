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
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import replace
from typing import Callable, List, Sequence

import numpy as np

import nets

from .cli import (Progress, at_least, make_main, nonnegative_int, positive_float,
                  positive_int)
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
    parser.add_argument("--depths", type=positive_int, nargs="+", default=None,
                        help="depths to sweep (default: 5 10 20 50 100; --quick: 5 50)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="epochs per network (default: 200; --quick: 3)")
    parser.add_argument("--lr", type=positive_float, default=0.01, help="SGD learning rate (0.01)")
    parser.add_argument("--width", type=positive_int, default=8, help="features per layer (8)")
    parser.add_argument("--points", type=positive_int, default=32, help="data points (32)")
    parser.add_argument("--seed", type=nonnegative_int, default=13,
                        help="network seed: random.seed before each network (13)")
    parser.add_argument("--data-seed", type=nonnegative_int, default=91,
                        help="data seed: random.seed before the data (91)")
    parser.add_argument("--rescue-lr", type=at_least(0.0, float), default=1e-4,
                        help="for each diverged cell, also train it at this learning rate "
                             "(default 1e-4; 0 to skip)")
    parser.add_argument("--rescue-clip", type=at_least(0.0, float), default=10.0,
                        help="for each diverged cell, also train it at --lr with the "
                             "gradient norm clipped to this (default 10; 0 to skip)")
    parser.add_argument("--no-manual", action="store_true",
                        help="skip the cross-check with hand-written backprop (it adds about "
                             "a third to the time)")
    parser.add_argument("--jobs", type=positive_int, default=1,
                        help="processes to train cells in parallel (default 1)")


def _train_all(cells: Sequence[Cell], data: np.ndarray, methods: Sequence[str], jobs: int,
               rescue_for: Callable[[Cell], List[Cell]]) -> List[dict]:
    """Train every cell by every method; as soon as a cell's autodiff run diverges, also train
    the cells `rescue_for(cell)` gives (flagged "rescue_run"). Deepest cells go first, so that
    with several jobs the last one to start is a short one. Results in the order the tasks
    were made: cells x methods, then the rescues."""
    tasks = [(cell, method, False) for cell in cells for method in methods]
    results = {}
    queue = sorted(range(len(tasks)), key=lambda j: -tasks[j][0].depth)
    with Progress(total=sum(cell.epochs for cell, _, _ in tasks), desc="depth sweep") as bar:

        def finish(i: int, result: dict) -> None:
            results[i] = dict(result, rescue_run=tasks[i][2])
            cell, method, is_rescue = tasks[i]
            if method == "autodiff" and not is_rescue and result["diverged"] is not None:
                extra = [(c, m, True) for c in rescue_for(cell) for m in methods]
                queue.extend(range(len(tasks), len(tasks) + len(extra)))
                tasks.extend(extra)
                bar.total += sum(c.epochs for c, _, _ in extra)
                queue.sort(key=lambda j: -tasks[j][0].depth)

        if jobs <= 1:
            while queue:
                i = queue.pop(0)
                result = _timed(tasks[i][0], data, tasks[i][1], bar.update)
                bar.update(tasks[i][0].epochs - len(result["curve"]))  # a diverged run stops early
                finish(i, result)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                running = {}
                while queue or running:
                    while queue and len(running) < jobs:  # one task per worker at a time
                        i = queue.pop(0)
                        running[pool.submit(_timed, tasks[i][0], data, tasks[i][1])] = i
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        i = running.pop(future)
                        bar.update(tasks[i][0].epochs)
                        finish(i, future.result())
    return [results[i] for i in range(len(tasks))]


def _timed(cell: Cell, data: np.ndarray, method: str, on_epoch=None) -> dict:
    start, cpu_start = time.perf_counter(), time.process_time()
    result = run_cell(cell, data, method, on_epoch)
    # CPU seconds too: on a shared 2-core machine the wall clock says more about the neighbours
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time() - cpu_start
    return result


def _rescuer(args: argparse.Namespace) -> Callable[[Cell], List[Cell]]:
    """For a diverged cell: the same cell at a smaller learning rate, and with clipping."""
    def rescue_for(cell: Cell) -> List[Cell]:
        cells = []
        if args.rescue_lr > 0:
            cells.append(replace(cell, lr=args.rescue_lr))
        if args.rescue_clip > 0:
            cells.append(replace(cell, clip=args.rescue_clip))
        return cells
    return rescue_for


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
    epochs = args.epochs if args.epochs is not None else (
        QUICK_EPOCHS if args.quick else PUBLISHED["epochs"])
    data = nets.data.identity_data(args.points, args.width, args.data_seed)
    baseline = nets.data.zero_prediction_loss(data)
    methods = METHODS[:1] if args.no_manual else METHODS
    cells = [Cell(family, depth, epochs, args.lr, args.width, args.seed)
             for family in ("plain", "residual") for depth in depths]

    start = time.perf_counter()
    runs = _train_all(cells, data, methods, args.jobs, _rescuer(args))
    seconds = time.perf_counter() - start
    autodiff = [r for r in runs if r["method"] == "autodiff" and not r["rescue_run"]]

    final = {family: [r["final"] for r in autodiff if r["family"] == family]
             for family in ("plain", "residual")}
    result = {"baseline": baseline, "depths": list(depths), "plain": final["plain"],
              "residual": final["residual"], "epochs": epochs, "lr": args.lr,
              "width": args.width, "points": args.points, "network_seed": args.seed,
              "data_seed": args.data_seed, "published": PUBLISHED,
              "runs": autodiff,
              "rescue": [r for r in runs if r["method"] == "autodiff" and r["rescue_run"]],
              "seconds": seconds,
              "cpu_seconds_by_method": {m: sum(r["cpu_seconds"] for r in runs
                                               if r["method"] == m) for m in methods}}
    if not args.no_manual:
        result["manual_runs"] = [r for r in runs if r["method"] == "manual"]
        result["autodiff_vs_manual"] = _agreement(runs)

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
