"""Training runs in worker processes, one per core, each with single-threaded BLAS (threads
fighting over two cores make small products slower), as demos/degradation.py does; and the
median that counts a failed run as the worst.
"""
from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, List

import numpy as np

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def run_jobs(jobs: List[dict], workers: int, fn: Callable[[dict], dict]) -> List[dict]:
    """fn(job) for every job (a module-level function, so that worker processes can receive
    it), the deepest first so that the workers finish together; the results in job order."""
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i]["depth"])
    if workers <= 1:
        results = {i: fn(jobs[i]) for i in order}
    else:
        saved = {name: os.environ.get(name) for name in BLAS_THREADS}
        os.environ.update({name: "1" for name in BLAS_THREADS})  # read when a worker starts
        try:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = {i: pool.submit(fn, jobs[i]) for i in order}
                results = {i: future.result() for i, future in futures.items()}
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return [results[i] for i in range(len(jobs))]


def median(values: List[float]) -> float:
    """The median with a diverged run (NaN) counted as infinitely bad."""
    return float(np.median([math.inf if not math.isfinite(v) else v for v in values]))
