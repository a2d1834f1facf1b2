"""Run pytest on a repository (the solution or a student tree) and read back each test's result.

pytest runs in a subprocess with the tree as its working directory and first on PYTHONPATH,
so the tree's packages shadow the installed (editable) ones: a student tree needs no
install of its own, it reuses the current virtual environment.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .pytest_plugin import RESULTS_ENV, SELECT_ENV


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
    exitstatus: int
    tests: Dict[str, CaseResult]
    collected: Dict[str, List[str]]
    collect_errors: Dict[str, str]
    output: str = field(repr=False, default="")


def have_xdist() -> bool:
    return importlib.util.find_spec("xdist") is not None


def hypothesis_options(root: Path, paths: List[str]) -> List[str]:
    """A fixed seed where property tests run, so they find the same examples every time, and
    no hypothesis plugin where none do: importing it costs a second per pytest run."""
    if importlib.util.find_spec("hypothesis") is None:
        return []
    files = []
    for path in (Path(root) / p for p in paths):
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    if any("hypothesis" in f.read_text(encoding="utf-8") for f in files if f.is_file()):
        return ["--hypothesis-seed=0"]
    return ["-p", "no:hypothesispytest"]


def run_pytest(root: Path, args: List[str], select: Optional[dict] = None,
               workers: int = 0, timeout: float = 900) -> RunResult:
    """Run `python -m pytest args` in `root` with the course plugin; return what it recorded.

    `select` is the plugin's COURSE_SELECT filter; `workers` > 1 uses pytest-xdist when it
    is installed.
    """
    root = Path(root).resolve()
    with tempfile.TemporaryDirectory(prefix="course-run-") as scratch:
        results = Path(scratch) / "results.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in
                                                           [env.get("PYTHONPATH")] if p])
        env[RESULTS_ENV] = str(results)
        env.pop(SELECT_ENV, None)
        if select is not None:
            env[SELECT_ENV] = json.dumps(select)
        command = [sys.executable, "-m", "pytest", "-p", "course.pytest_plugin",
                   "-p", "no:cacheprovider", "-q", "--tb=short", *args]
        if workers > 1 and have_xdist():
            command += ["-n", str(workers)]
        elif have_xdist():
            command += ["-p", "no:xdist"]
        process = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                                 timeout=timeout)
        output = process.stdout + process.stderr
        if not results.exists():
            raise RuntimeError(f"course: pytest in {root} stopped before writing results "
                               f"(exit {process.returncode}):\n{output[-3000:]}")
        data = json.loads(results.read_text(encoding="utf-8"))
    tests = {nodeid: CaseResult(nodeid, **entry) for nodeid, entry in data["tests"].items()}
    return RunResult(data["exitstatus"], tests, data["collected"], data["collect_errors"],
                     output)
