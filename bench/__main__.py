"""`python -m bench` (or `make bench`): every workload, each run in a fresh process, N times.

Prints each run's table, then writes bench/RESULTS.md: the machine, the versions, the goal table
with every run's ratios, memory and per-op overhead, and the optimization log
(bench/optimizations.md, written by hand: what each change to the engine bought).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from . import common

HERE = Path(__file__).resolve().parent
TIMED = ["w0_seed000", "w1_seed001", "w2_wide_f32", "micro_op", "w0_jit", "w1_jit",
         "conv_resnet"]
PRINTERS = {"memory": "print_memory", "overhead": "print_overhead"}


def run_module(module: str, quick: bool, no_torch: bool):
    """Run one workload in a fresh interpreter (nothing warm from the others) and read its JSON:
    one result dict, or a list of them for a module that times several workloads."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        code = (f"import json, bench.{module} as m; "
                f"r = m.run(quick={quick}, use_torch={not no_torch}); "
                f"json.dump(r, open({out!r}, 'w'))")
        subprocess.run([sys.executable, "-c", code], check=True, cwd=HERE.parent)
        with open(out) as f:
            return json.load(f)


def machine() -> dict:
    """CPU model and count, and the versions of everything timed."""
    info = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in lscpu.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                info["cpu"] = value.strip()
    except OSError:
        pass
    import numpy
    info["python"] = platform.python_version()
    info["numpy"] = numpy.__version__
    blas = numpy.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    info["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    torch = common.load_torch()
    info["torch"] = torch.__version__ if torch is not None else "not installed"
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per workload")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes")
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--only", nargs="*", default=None, help="module names to run")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--json-out", help="also save every run's results to this file")
    args = parser.parse_args()
    selected = args.only or TIMED + list(PRINTERS)
    results = {}
    for module in selected:
        runs = args.runs if module in TIMED else 1
        for number in range(runs):
            result = run_module(module, args.quick, args.no_torch)
            if module in PRINTERS:
                results.setdefault(module, []).append(result)
                getattr(__import__(f"bench.{module}", fromlist=["_"]), PRINTERS[module])(result)
                continue
            for one in result if isinstance(result, list) else [result]:
                key = f"{module}/{one['key']}" if isinstance(result, list) else module
                results.setdefault(key, []).append(one)
                print(f"[run {number + 1}/{runs}]", end="")
                common.print_result(one)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=1)
    if not args.no_write:
        from .report import write_results
        path = write_results(results, machine(), quick=args.quick)
        print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
