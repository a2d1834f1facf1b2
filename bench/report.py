"""Write bench/RESULTS.md from the results of `python -m bench`."""
from __future__ import annotations

import datetime
from pathlib import Path

from .common import format_seconds, goal_met, machine_scale

HERE = Path(__file__).resolve().parent
GOAL_ROWS = ["w0_seed000", "w1_seed001", "w2_wide_f32", "micro_op", "w0_jit", "w1_jit",
             "conv_resnet"]


def goal_rows(results: dict) -> list:
    """The keys of the timed results in GOAL_ROWS' order; a module that times several
    workloads has one key each, 'module/workload', in the order it ran them."""
    return [key for module in GOAL_ROWS for key in results
            if key == module or key.startswith(module + "/")]


def _runs(values) -> str:
    return " / ".join(f"{v:.2f}x" for v in values)


def _goal_table(results: dict) -> list:
    lines = ["| workload | goal | engine/torch (each run) | engine/numpy (each run) | "
             "each contender (median of the runs' medians) | met in every run? | "
             "torch here / torch in the issue's table |",
             "|---|---|---|---|---|---|---|"]
    for module in goal_rows(results):
        runs = results.get(module)
        if not runs:
            continue
        first = runs[0]
        by_ratio = {key: [r["ratios"].get(key) for r in runs] for key in first["ratios"]}
        torch_ratios = by_ratio.get("engine/torch", [])
        numpy_ratios = by_ratio.get("engine/numpy", [])
        times = []
        for name in first["medians"]:
            values = sorted(r["medians"][name] for r in runs if name in r["medians"])
            times.append(f"{name} {format_seconds(values[len(values) // 2])}")
        if first["goal"] is None:
            goal, met = "none: reported as ratios", "-"
        else:
            verdicts = [goal_met(r) for r in runs]
            goal = first["goal"]["text"]
            met = ("n/a (no torch)" if None in verdicts
                   else "yes" if all(verdicts) else f"NO ({sum(verdicts)} of {len(verdicts)})")
        scales = [machine_scale(r) for r in runs]
        lines.append(f"| {first['title']} | {goal} | "
                     f"{_runs(torch_ratios) if None not in torch_ratios else '-'} | "
                     f"{_runs(numpy_ratios)} | {', '.join(times)} ({first['unit']}) | {met} | "
                     f"{_runs(scales) if None not in scales else '-'} |")
    return lines


def _memory(results: dict) -> list:
    if "memory" not in results:
        return []
    result = results["memory"][0]
    lines = ["", "## Memory", "", result["title"], "", "| contender | peak |", "|---|---|"]
    lines += [f"| {name} | {mib:.1f} MiB |" for name, mib in result["medians"].items()]
    ratios = ", ".join(f"{name}: {ratio:.2f}x" for name, ratio in result["ratios"].items())
    lines += ["", f"{ratios}. " + " ".join(result["notes"])]
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
             "gradients. In the rows \"replayed by "
             "tinygrad_res.jit\" (issue 18) the engine contender is the same training step "
             "under `@tinygrad_res.jit`, and eager mode runs beside it as \"eager\": the replay "
             "must end bit for bit where eager mode does. The micro op has no goal since issue "
             "18 (issue 6's absolute 15 µs did not travel between machines).", "",
             "## Goals (issues 6 and 18)", ""]
    lines += _goal_table(results)
    lines += _memory(results) + _overhead(results)
    log = HERE / "optimizations.md"
    if log.exists():
        lines += ["", log.read_text().rstrip()]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path
