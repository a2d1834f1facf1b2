"""Training runs in worker processes, one per core, each with single-threaded BLAS (threads
fighting over two cores make small products slower; cli.single_blas_thread_pool), and the
median that counts a failed run as the worst.
"""
from __future__ import annotations

import math
from typing import Callable, List

import numpy as np

from .cli import single_blas_thread_pool


def run_jobs(jobs: List[dict], workers: int, fn: Callable[[dict], dict]) -> List[dict]:
    """fn(job) for every job (a module-level function, so that worker processes can receive
    it), the deepest first so that the workers finish together; the results in job order."""
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i]["depth"])
    if workers <= 1:
        results = {i: fn(jobs[i]) for i in order}
    else:
        with single_blas_thread_pool(workers) as pool:
            futures = {i: pool.submit(fn, jobs[i]) for i in order}
            results = {i: future.result() for i, future in futures.items()}
    return [results[i] for i in range(len(jobs))]


def median(values: List[float]) -> float:
    """The median with a diverged run (NaN) counted as infinitely bad."""
    return float(np.median([math.inf if not math.isfinite(v) else v for v in values]))
