"""Run pytest on a repository (the solution or a student tree) and read back each test's result.

pytest runs in a subprocess with the tree as its working directory and first on PYTHONPATH,
so the tree's packages shadow the installed (editable) ones: a student tree needs no
install of its own, it reuses the current virtual environment.

The course plugin streams every result to a file as it happens, so a run that is stopped —
its time budget spent, or the process killed by the code under test — still tells which
tests ran; `RunResult.stopped` says why it ended early. With pytest-timeout installed (the
dev extra), `test_timeout` fails a single test that runs too long and the run goes on.
"""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .pytest_plugin import GRADING_ENV, RESULTS_ENV, SELECT_ENV


@dataclass
class CaseResult:
    nodeid: str
    outcome: str          # passed, failed or skipped
    tasks: List[str]      # its task markers: ['task_1_2']
    message: str          # the crash line when it failed or the reason when skipped
    details: str          # the end of the traceback when it failed
    duration: float


@dataclass
class RunResult:
    exitstatus: Optional[int]
    tests: Dict[str, CaseResult]
    collected: Dict[str, List[str]]
    collect_errors: Dict[str, str]
    output: str = field(repr=False, default="")
    stopped: str = ""     # why the run ended before pytest finished ("" when it finished)


def have_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def have_xdist() -> bool:
    return have_module("xdist")


def hypothesis_options(root: Path, paths: List[str]) -> List[str]:
    """A fixed seed where property tests run, so they find the same examples every time, and
    no hypothesis plugin where none do: importing it costs a second per pytest run."""
    if not have_module("hypothesis"):
        return []
    files = []
    for path in (Path(root) / p for p in paths):
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    if any("hypothesis" in f.read_text(encoding="utf-8") for f in files if f.is_file()):
        return ["--hypothesis-seed=0"]
    return ["-p", "no:hypothesispytest"]


def read_events(path: Path) -> dict:
    """The plugin's event lines folded into {exitstatus, tests, collected, collect_errors};
    a line cut short by a killed process is ignored."""
    data = {"exitstatus": None, "tests": {}, "collected": {}, "collect_errors": {}}
    if not path.exists():
        return data
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = event.pop("event", None)
        if kind == "test":
            data["tests"][event.pop("nodeid")] = event
        elif kind == "collected":
            data["collected"].update(event["collected"])
        elif kind == "collect_error":
            data["collect_errors"][event["nodeid"]] = event["text"]
        elif kind == "finished":
            data["exitstatus"] = event["exitstatus"]
    return data


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def run_pytest(root: Path, args: List[str], select: Optional[dict] = None,
               workers: int = 0, timeout: float = 1800, test_timeout: Optional[float] = None,
               strict: bool = True, order: Optional[List[str]] = None) -> RunResult:
    """Run `python -m pytest args` in `root` with the course plugin; return what it recorded.

    `select` is the plugin's COURSE_SELECT filter; `workers` > 1 uses pytest-xdist when it
    is installed. `order` (task markers) runs the tests task by task (the plugin's Grading).
    After `timeout` seconds the whole process group is killed and the result
    holds what ran until then (`stopped` says so). With `strict`, a run that wrote nothing
    (pytest did not even start) is a RuntimeError; without, an empty result.
    """
    root = Path(root).resolve()
    with tempfile.TemporaryDirectory(prefix="course-run-") as scratch:
        results, log = Path(scratch) / "results.jsonl", Path(scratch) / "output.txt"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in
                                                           [env.get("PYTHONPATH")] if p])
        env[RESULTS_ENV] = str(results)
        env.pop(SELECT_ENV, None)
        env.pop(GRADING_ENV, None)
        if select is not None:
            env[SELECT_ENV] = json.dumps(select)
        if order is not None:
            env[GRADING_ENV] = json.dumps({"order": order})
        command = [sys.executable, "-m", "pytest", "-p", "course.pytest_plugin",
                   "-p", "no:cacheprovider", "-q", "--tb=short", *args]
        if workers > 1 and have_xdist():
            command += ["-n", str(workers)]
        elif have_xdist():
            command += ["-p", "no:xdist"]
        if test_timeout and have_module("pytest_timeout"):
            command += [f"--timeout={test_timeout:g}", "--timeout-method=signal"]
        stopped = ""
        with open(log, "w", encoding="utf-8") as output:
            process = subprocess.Popen(command, cwd=root, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                stopped = f"the time budget of {timeout:g} s ran out"
        text = log.read_text(encoding="utf-8", errors="replace")
        data = read_events(results)
    if data["exitstatus"] is None and not stopped:
        stopped = f"the test process ended early (exit code {process.returncode})"
    if strict and not data["collected"] and not data["tests"] and not data["collect_errors"] \
            and data["exitstatus"] is None:
        raise RuntimeError(f"course: pytest in {root} stopped before writing results "
                           f"(exit {process.returncode}):\n{text[-3000:]}")
    tests = {nodeid: CaseResult(nodeid, **entry) for nodeid, entry in data["tests"].items()}
    return RunResult(data["exitstatus"], tests, data["collected"], data["collect_errors"],
                     text, stopped)
