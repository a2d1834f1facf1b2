"""The timing harness every workload shares: alternate the contenders, take medians, print ratios.

Times are CPU time of this process (`time.process_time`), not wall time: the machines these run
on are shared, and a neighbour that steals the CPU lengthens wall time but not the work done.
Every contender runs on one thread, so CPU time is its running time on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Callable, Dict, Optional

import numpy as np

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # the environment variables set in bench/__init__.py do the same job
    threadpool_limits = None

if threadpool_limits is not None:
    _BLAS_LIMIT = threadpool_limits(limits=1)  # kept alive: the limit lasts as long as this does


def load_torch():
    """The torch module limited to one thread, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def measure(contenders: Dict[str, Callable[[], object]], rounds: int,
            warmup: int = 1) -> Dict[str, float]:
    """Median CPU seconds of one call of each contender.

    Each round calls every contender once, the starting one rotating from round to round, so
    that no contender always runs right after the same other one (warm caches, a GC cycle due).
    """
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    samples = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.process_time()
            contenders[name]()
            samples[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def ratios(medians: Dict[str, float]) -> Dict[str, float]:
    """engine/torch and engine/numpy (those whose contenders ran)."""
    return {f"engine/{other}": medians["engine"] / medians[other]
            for other in ("torch", "numpy") if other in medians}


def max_relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    scale = max(float(np.abs(a).max()), float(np.abs(b).max()), 1e-30)
    return float(np.abs(a - b).max()) / scale


def parameters_agree(reference: list, others: Dict[str, list], rtol: float) -> Dict[str, float]:
    """Largest relative difference of each contender's parameters from the engine's, after all
    contenders made the same steps: proof that every contender did the same work.
    Raises when one is further than `rtol`."""
    worst = {}
    for name, params in others.items():
        worst[name] = max(max_relative_difference(np.asarray(a), np.asarray(b))
                          for a, b in zip(reference, params))
        if not worst[name] <= rtol:
            raise AssertionError(f"bench: {name} ended {worst[name]:.1e} away from the engine "
                                 f"(allowed {rtol:.0e}); the contenders did different work")
    return worst


def format_seconds(seconds: float) -> str:
    if seconds >= 0.1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-4:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.2f} µs"


def print_result(result: dict) -> None:
    """The medians and ratios of one workload, as a small table."""
    print(f"\n{result['title']}  ({result['unit']}, median of {result['rounds']} rounds, "
          f"CPU time)")
    for name, seconds in result["medians"].items():
        print(f"  {name:<8} {format_seconds(seconds):>12}")
    for name, value in result["ratios"].items():
        print(f"  {name:<14} {value:6.2f}x")
    goal = result.get("goal")
    if goal:
        met = goal_met(result)
        verdict = "n/a (no torch)" if met is None else "met" if met else "NOT met"
        print(f"  goal: {goal['text']}  ->  {verdict}")
        scale = machine_scale(result)
        if scale is not None:
            print(f"  torch here takes {scale:.2f}x its time in the issue's table")
    for note in result.get("notes", []):
        print(f"  note: {note}")


def goal_met(result: dict) -> Optional[bool]:
    """Whether the workload's goal (a ratio, and maybe a second one) holds, or None when its
    reference contender did not run."""
    goal = result["goal"]
    value = result["ratios"].get(goal["ratio"])
    if value is None:
        return None
    also = goal.get("and")  # a second ratio that must hold as well
    return value <= goal["limit"] and (also is None or result["ratios"][also["ratio"]]
                                       <= also["limit"])


def machine_scale(result: dict) -> Optional[float]:
    """torch's time here / torch's time in the issue's table: how much slower (or faster) this
    machine is than the one the goals were set on. None without torch or a reference."""
    reference = (result["goal"] or {}).get("issue_torch")
    torch_here = result["medians"].get("torch")
    return None if reference is None or torch_here is None else torch_here / reference


def workload_main(run: Callable[..., dict], default_rounds: int) -> None:
    """Command line of one workload: print its table, optionally write it as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=default_rounds)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--json", help="also write the result to this file")
    args = parser.parse_args()
    result = run(rounds=args.rounds, quick=args.quick, use_torch=not args.no_torch)
    for one in result if isinstance(result, list) else [result]:  # a module may time several
        print_result(one)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
