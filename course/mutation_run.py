"""Mutation testing of the tasks: run every mutant against its task's tests, score each task.

`jobs` workers (course/mutation_worker.py) each collect the tests once. First every task's
tests run on the solution (the baseline: they must all pass, and their durations order the
runs: fastest first); then every mutant runs that task's tests (public and hidden) in that
order and stops at the first failure (pytest's -x), the test that killed the previous mutant
of the task going first. A mutant is **killed** when a test fails or its run outlives its
time limit (a hang fails a student's run too), **survives** when all pass. A task's score is
killed / (mutants - listed equivalent ones).
"""
from __future__ import annotations

import dataclasses
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .markers import Region
from .mutation import Mutant, generate
from .mutation_worker import PROTOCOL, WORKER_ENV
from .runner import hypothesis_options
from .spec import Course, Task

START_TIMEOUT = 300.0  # seconds for a worker to collect the tests


@dataclass
class TaskMutation:
    task: Task
    mutants: List[Mutant]
    results: Dict[str, dict] = field(default_factory=dict)  # mutant id -> worker result
    baseline: Optional[dict] = None
    seconds: float = 0.0

    def survivors(self) -> List[Mutant]:
        return [m for m in self.mutants if self.results.get(m.id, {}).get("status") == "survived"]

    def equivalent(self) -> List[Mutant]:
        listed = {e.what for e in self.task.equivalent_mutants}
        return [m for m in self.survivors() if m.id in listed]

    @property
    def score(self) -> Optional[float]:
        counted = len(self.mutants) - len(self.equivalent())
        if counted <= 0:
            return None
        killed = sum(self.results.get(m.id, {}).get("status") in ("killed", "timeout")
                     for m in self.mutants)
        return killed / counted


class WorkerProcess:
    """One mutation worker: a pytest session answering requests on its stdin."""

    def __init__(self, root: Path, markers: List[str]):
        env = dict(os.environ)
        env[WORKER_ENV] = "1"
        env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")]
                                                           if p])
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = "1"  # forked children, and two workers on two cores
        self.scratch = tempfile.TemporaryDirectory(prefix="course-mutation-")
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = self.scratch.name
        command = [sys.executable, "-m", "pytest", "-p", "course.mutation_worker",
                   "-p", "no:cacheprovider", "-p", "no:xdist", "-s", "-q", "--tb=line",
                   *hypothesis_options(root, ["tests"]), "tests", "-m", " or ".join(markers)]
        self.process = subprocess.Popen(command, cwd=root, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, bufsize=1)
        self.lines: "queue.Queue[Optional[dict]]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.collected: Dict[str, List[str]] = {}

    def wait_ready(self) -> "WorkerProcess":
        """Wait until the worker has collected its tests (workers start in parallel)."""
        ready = self._next(START_TIMEOUT)
        if ready is None or not ready.get("ready"):
            self.close()
            raise RuntimeError("course: the mutation worker did not start (its pytest session "
                               "failed to collect the task tests)")
        self.collected = ready["collected"]
        return self

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith(PROTOCOL):
                self.lines.put(json.loads(line[len(PROTOCOL):]))
        self.lines.put(None)

    def _next(self, timeout: float) -> Optional[dict]:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def ask(self, request: dict) -> Optional[dict]:
        """The worker's answer, or None when it died or did not answer in time."""
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return None
        return self._next(request["timeout"] + 60)

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.scratch.cleanup()


def _time_limit(course: Course, baseline: Optional[dict]) -> float:
    spent = sum((baseline or {}).get("durations", {}).values())
    return min(course.settings.mutant_timeout, max(10.0, 3 * spent + 5))


def run_mutation(root: Path, course: Course, tasks: List[Task],
                 regions: Dict[str, List[Region]], jobs: int = 2, log=print
                 ) -> List[TaskMutation]:
    """Mutate each task's regions and run its tests against every mutant."""
    root = Path(root).resolve()
    work = [TaskMutation(task, generate(root, task.id, regions)) for task in tasks]
    markers = [w.task.marker for w in work]
    workers = [WorkerProcess(root, markers) for _ in range(max(1, jobs))]
    try:
        workers = [worker.wait_ready() for worker in workers]
        collected = workers[0].collected
        tests = {w.task.id: sorted(n for n, marks in collected.items() if w.task.marker in marks)
                 for w in work}
        jobs_queue: "queue.Queue" = queue.Queue()
        for w in work:
            jobs_queue.put(("baseline", w, None))
        lock = threading.Lock()
        outstanding = [len(work)]  # jobs queued or running; a baseline adds its mutants
        killers: Dict[str, str] = {}

        def order(w: TaskMutation) -> List[str]:
            durations = w.baseline.get("durations", {})
            names = sorted(tests[w.task.id], key=lambda n: (durations.get(n, 0.0), n))
            killer = killers.get(w.task.id)
            return ([killer] if killer in names else []) + [n for n in names if n != killer]

        def serve(index: int) -> None:
            while True:
                with lock:
                    if outstanding[0] == 0:
                        return
                try:
                    kind, w, mutant = jobs_queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                if kind == "baseline":
                    request = {"mutant": None, "tests": tests[w.task.id], "stop_first": False,
                               "timeout": 4 * course.settings.mutant_timeout}
                else:
                    with lock:
                        request = {"mutant": dataclasses.asdict(mutant), "tests": order(w),
                                   "stop_first": True, "warm": w.baseline.get("modules", []),
                                   "timeout": _time_limit(course, w.baseline)}
                answer = workers[index].ask(request)
                if answer is None:  # the worker died or hung: a fresh one takes over
                    workers[index].close()
                    workers[index] = WorkerProcess(root, markers).wait_ready()
                    answer = {"status": "timeout" if kind == "mutant" else "error",
                              "message": "the mutation worker stopped answering",
                              "seconds": request["timeout"]}
                with lock:
                    w.seconds += answer.get("seconds", 0.0)
                    outstanding[0] -= 1
                    if kind == "baseline":
                        w.baseline = answer
                        if answer.get("status") == "survived":  # every test passed
                            for m in w.mutants:
                                jobs_queue.put(("mutant", w, m))
                            outstanding[0] += len(w.mutants)
                        continue
                    w.results[mutant.id] = answer
                    if answer.get("failures"):
                        killers[w.task.id] = next(iter(answer["failures"]))

        threads = [threading.Thread(target=serve, args=(i,)) for i in range(len(workers))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for worker in workers:
            worker.close()
    return work
