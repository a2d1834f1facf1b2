"""Training runs of the live app: each in a worker thread, read by at most one event stream.

A Run trains with `train_steps` in a daemon thread and keeps what it measured (every loss, the
latest gradient column) behind a lock; the stream of the page that started it reads the new
part with `read(cursor)`. The registry enforces the bounds: one run per page (starting another
stops the first) and `max_running` runs in all.

    >>> runs = RunRegistry(max_running=2)
    >>> run = runs.start(RunConfig(depth=4, steps=50), page="page-1")
    >>> run.wait(timeout=10)
    >>> run.status, len(run.read(0).points)
    ('done', 50)
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .config import RunConfig
from .training import train_steps

FINISHED = ("done", "diverged", "stopped", "error")
# a run that no stream has read for this long is stopped: its page is gone, or never connected
ORPHAN_SECONDS = 15.0


class Busy(RuntimeError):
    """Too many runs at once: the message says how many and what to do."""


@dataclass
class Update:
    """What a stream has not sent yet: new (step, loss) points, the latest gradient column
    (None if unchanged since `grads_seen`), and the status."""
    points: List[list]
    grads: Optional[dict]
    status: str
    message: str
    cursor: int
    grads_version: int


@dataclass
class Run:
    """One training run of `page`: `start()` trains it in a daemon thread; `status` is
    "running", then "done", "diverged", "stopped" or "error", and `message` says why."""
    config: RunConfig
    run_id: str
    page: str
    status: str = "running"
    message: str = ""
    chance: Optional[float] = None
    orphan_seconds: float = ORPHAN_SECONDS
    _last_read: float = field(default_factory=time.monotonic)
    _streamed: bool = False
    _points: List[list] = field(default_factory=list)
    _grads: Optional[dict] = None
    _grads_version: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _thread: Optional[threading.Thread] = None

    def start(self) -> "Run":
        self._thread = threading.Thread(target=self._work, name=f"train-{self.run_id}",
                                        daemon=True)
        self._thread.start()
        return self

    def _work(self) -> None:
        try:
            for step in train_steps(self.config):
                if self._stop.is_set():
                    return
                if time.monotonic() - self._last_read > self.orphan_seconds:
                    self._finish("stopped", "stopped: no page was reading this run")
                    return
                with self._changed:
                    self.chance = step.chance
                    if step.loss is None:
                        self._finish("diverged", f"diverged at step {step.step}: the loss "
                                                 f"is no longer a finite number")
                        return
                    self._points.append([step.step, step.loss])
                    self._grads = {"step": step.step, "norms": step.grad_norms.tolist()}
                    self._grads_version += 1
                    self._changed.notify_all()
            self._finish("done", f"{self.config.steps} steps done")
        except Exception as error:  # shown on the page; the server keeps running
            self._finish("error", f"training failed: {type(error).__name__}: {error}")
        finally:  # whatever ended the loop, the run is finished (a no-op if it says so)
            self._finish("stopped", "stopped")

    def _finish(self, status: str, message: str) -> None:
        with self._changed:
            if self.status == "running":
                self.status, self.message = status, message
            self._changed.notify_all()

    def stop(self, reason: str = "stopped") -> None:
        """Ask the worker to stop after its current step (it checks between steps)."""
        self._stop.set()
        self._finish("stopped", reason)

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Wait for the worker thread to end; True if it did."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def claim_stream(self) -> bool:
        """True for the first event stream of this run, False after: one reader per run."""
        with self._changed:
            claimed, self._streamed = self._streamed, True
            return not claimed

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def read(self, cursor: int, grads_seen: int = -1, timeout: float = 0.0) -> Update:
        """The points from index `cursor` on, and the gradient column if newer than
        `grads_seen`; waits up to `timeout` seconds for something new."""
        with self._changed:
            self._last_read = time.monotonic()
            self._changed.wait_for(lambda: len(self._points) > cursor or self.finished
                                   or self._grads_version != grads_seen, timeout)
            grads = self._grads if self._grads_version != grads_seen else None
            return Update(self._points[cursor:], grads, self.status, self.message,
                          len(self._points), self._grads_version)


class RunRegistry:
    """The runs of one server: at most one running per page, `max_running` in all; the last
    `keep` finished runs stay readable (a stream may connect after a short run ended); a run
    no stream reads for `orphan_seconds` stops."""

    def __init__(self, max_running: int = 2, keep: int = 16,
                 orphan_seconds: float = ORPHAN_SECONDS) -> None:
        self.max_running, self.keep, self.orphan_seconds = max_running, keep, orphan_seconds
        self._runs: "OrderedDict[str, Run]" = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, config: RunConfig, page: str) -> Run:
        """Start a run for `page`, stopping that page's previous run; Busy if full."""
        with self._lock:
            for run in self._runs.values():
                if run.page == page and not run.finished:
                    run.stop("replaced by a new run from the same page")
            running = [r for r in self._runs.values() if not r.finished]
            if len(running) >= self.max_running:
                raise Busy(f"{len(running)} runs are training already (the most at once is "
                           f"{self.max_running}); stop one or wait for it to finish")
            run = Run(config, str(next(self._ids)), page, orphan_seconds=self.orphan_seconds)
            self._runs[run.run_id] = run
            finished = [key for key, r in self._runs.items() if r.finished]
            for key in finished[:max(0, len(finished) - self.keep)]:
                del self._runs[key]
        return run.start()

    def get(self, run_id: str) -> Optional[Run]:
        with self._lock:
            return self._runs.get(run_id)

    def running(self) -> List[Run]:
        with self._lock:
            return [r for r in self._runs.values() if not r.finished]

    def stop_all(self, reason: str, timeout: float = 5.0) -> Dict[str, bool]:
        """Stop every run and wait for the workers; which ones ended within `timeout`."""
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.stop(reason)
        deadline = time.monotonic() + timeout
        return {run.run_id: run.wait(max(0.0, deadline - time.monotonic())) for run in runs}
