"""Write bench/RESULTS.md from the results of `python -m bench`."""
from __future__ import annotations

import datetime
from pathlib import Path

from .common import format_seconds, goal_met, machine_scale, relative_goal

HERE = Path(__file__).resolve().parent
GOAL_ROWS = ["w0_seed000", "w1_seed001", "w2_wide_f32", "micro_op", "conv_resnet"]


def goal_rows(results: dict) -> list:
    """The keys of the timed results in GOAL_ROWS' order; a module that times several
    workloads has one key each, 'module/workload', in the order it ran them."""
    return [key for module in GOAL_ROWS for key in results
            if key == module or key.startswith(module + "/")]


def _runs(values) -> str:
    return " / ".join(f"{v:.2f}x" for v in values)


def _goal_table(results: dict) -> list:
    lines = ["| workload | goal | engine/torch (each run) | engine/numpy (each run) | "
             "engine, torch, numpy (median of the runs' medians) | met in every run? | "
             "torch here / torch in the issue's table |",
             "|---|---|---|---|---|---|---|"]
    restated = []
    for module in goal_rows(results):
        runs = results.get(module)
        if not runs:
            continue
        first = runs[0]
        by_ratio = {key: [r["ratios"].get(key) for r in runs] for key in first["ratios"]}
        torch_ratios = by_ratio.get("engine/torch", [])
        numpy_ratios = by_ratio.get("engine/numpy", [])
        times = []
        for name in ("engine", "torch", "numpy"):
            values = sorted(r["medians"][name] for r in runs if name in r["medians"])
            if values:
                times.append(f"{name} {format_seconds(values[len(values) // 2])}")
        verdicts = [goal_met(r) for r in runs]
        met = ("n/a (no torch)" if None in verdicts
               else "yes" if all(verdicts) else f"NO ({sum(verdicts)} of {len(verdicts)})")
        scales = [machine_scale(r) for r in runs]
        lines.append(f"| {first['title']} | {first['goal']['text']} | "
                     f"{_runs(torch_ratios) if None not in torch_ratios else '-'} | "
                     f"{_runs(numpy_ratios)} | {', '.join(times)} ({first['unit']}) | {met} | "
                     f"{_runs(scales) if None not in scales else '-'} |")
        readings = [relative_goal(r) for r in runs]
        if None not in readings:
            limit = readings[0][0]
            met_count = sum(value <= limit for _, value in readings)
            restated.append(f"- {first['title']}: engine <= {limit:.2f}x torch; "
                            f"{_runs([value for _, value in readings])}: met in {met_count} "
                            f"of {len(readings)} runs.")
    if restated:
        lines += ["", "The last column compares this machine with the one the issue's table was "
                  "measured on. An absolute goal does not travel between machines; restated as "
                  "the share of torch's time it was there:", ""] + restated
    return lines


def _memory(results: dict) -> list:
    if "memory" not in results:
        return []
    result = results["memory"][0]
    lines = ["", "## Memory", "", result["title"], "", "| contender | peak |", "|---|---|"]
    lines += [f"| {name} | {mib:.1f} MiB |" for name, mib in result["medians"].items()]
    lines += ["", f"engine/numpy: {result['ratios']['engine/numpy']:.2f}x. "
              + " ".join(result["notes"])]
    return lines


def _overhead(results: dict) -> list:
    if "overhead" not in results:
        return []
    result = results["overhead"][0]
    columns = ["numpy", "no_grad", "recording", "overhead", "backward"]
    lines = ["", "## Overhead per op", "", result["title"] + ", µs per op, CPU time. "
             "numpy: the op alone; no_grad: through the engine without recording; recording: "
             "building the graph; overhead = recording - numpy; backward: per node of the "
             "chain.", "", "| op | " + " | ".join(columns) + " |",
             "|---|" + "---|" * len(columns)]
    for name, row in result["rows"].items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.2f}" for c in columns) + " |")
    return lines


def write_results(results: dict, machine: dict, quick: bool,
                  path: Path = HERE / "RESULTS.md") -> Path:
    runs = max(len(r) for r in results.values())
    lines = ["# Benchmark results", "",
             f"Written by `make bench` (`python -m bench`) on {datetime.date.today()}"
             + (" with --quick (reduced sizes: not the record)" if quick else "") + ".", "",
             f"Machine: {machine['cpu']}, {machine['cores']} cores. Python {machine['python']}, "
             f"numpy {machine['numpy']} ({machine['blas']}), torch {machine['torch']}.", "",
             f"Method: each workload runs in {runs} fresh processes. In each, the contenders "
             "(the engine through `nets`, the hand-written numpy backprop of nets/manual_mlp.py "
             "with a hand-written in-place update, PyTorch eager with torch.optim) run "
             "alternately, round after round, on one thread each (OMP/OpenBLAS/MKL = 1, "
             "threadpoolctl, torch.set_num_threads(1)), and the median CPU time of each is "
             "taken. All start from the same weights and must end with the same parameters "
             "(float64) or loss (float32), or the run fails. The conv workloads "
             "(bench/conv_resnet.py) race the engine against PyTorch only, in float32: the "
             "ResNet-20 step must end with the same loss, each conv2d call with the same "
             "gradients.", "",
             "## Goals (issues 6 and 18)", ""]
    lines += _goal_table(results)
    lines += _memory(results) + _overhead(results)
    log = HERE / "optimizations.md"
    if log.exists():
        lines += ["", log.read_text().rstrip()]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path
