"""`python -m course selftest --assignment N`: the bundle's run_autograder, as Gradescope runs it.

Writes the autograder zip, unpacks it into a temporary folder laid out as Gradescope lays
/autograder out (source/, submission/, results/), and runs `source/run_autograder` on six
submissions, checking results/results.json each time:

- correct: the solution's task files at their paths: full marks;
- wrong: the last task's first region replaced by `pass`: that task loses points, the
  others keep theirs;
- flat: the task files without their folders: full marks;
- empty: nothing: 0, every task saying which file is missing;
- broken: a syntax error in the last task's file: its tasks 0 with one line naming the error,
  the other files' tasks graded;
- hanging: the last task's first region replaced by an endless loop: its tests time out, the
  others are graded, and results.json is written within the budget.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Callable, Dict, List, Optional

from .autograder import build_bundle
from .markers import find_regions
from .spec import Course

VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = (int, float)
TOP = {"score": NUMBER, "execution_time": NUMBER, "output": str, "output_format": str,
       "test_output_format": str, "test_name_format": str, "visibility": str,
       "stdout_visibility": str, "extra_data": dict, "tests": list, "leaderboard": list}
TEST = {"score": NUMBER, "max_score": NUMBER, "status": str, "name": str, "name_format": str,
        "number": str, "output": str, "output_format": str, "tags": list, "visibility": str,
        "extra_data": dict}


def format_problems(data) -> List[str]:
    """Where `data` departs from Gradescope's results.json format (empty: it conforms)."""
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as error:
        return [f"not plain JSON: {error}"]
    if not isinstance(data, dict):
        return ["results.json must hold an object"]
    problems = [f"unknown top-level key {k!r}" for k in set(data) - set(TOP)]
    problems += [f"{k!r} must be {kind}" for k, kind in TOP.items()
                 if k in data and not isinstance(data[k], kind)]
    for key in ("visibility", "stdout_visibility"):
        if data.get(key, "visible") not in VISIBILITY:
            problems.append(f"{key} {data[key]!r} is not one of {sorted(VISIBILITY)}")
    tests = data.get("tests", [])
    if "score" not in data and not all("score" in t for t in tests):
        problems.append("a score is needed at the top or on every test")
    for test in tests:
        problems += [f"test {test.get('name')!r}: unknown key {k!r}" for k in set(test) - set(TEST)]
        problems += [f"test {test.get('name')!r}: {k!r} must be {kind}" for k, kind in TEST.items()
                     if k in test and not isinstance(test[k], kind)]
        if test.get("status", "passed") not in {"passed", "failed"}:
            problems.append(f"test {test.get('name')!r}: status {test['status']!r}")
        if test.get("visibility", "visible") not in VISIBILITY:
            problems.append(f"test {test.get('name')!r}: visibility {test['visibility']!r}")
        if "max_score" in test and not 0 <= test.get("score", 0) <= test["max_score"]:
            problems.append(f"test {test.get('name')!r}: score outside 0..max_score")
    return problems


def replace_first_region(text: str, task_id: str, body: str) -> str:
    """`text` with the first region of `task_id` holding `body` (at its indentation)."""
    region = next(r for r in find_regions(text) if r.task == task_id and not r.hide)
    lines = text.splitlines(keepends=True)
    lines[region.begin + 1:region.end] = [region.indent + body + "\n"]
    return "".join(lines)


def submissions(root: Path, course: Course, number: int) -> Dict[str, Dict[str, str]]:
    """{scenario: {path in the submission: text}}."""
    tasks = course.assignment(number).tasks
    files = sorted({f for t in tasks for f in t.files})
    solution = {f: (root / f).read_text(encoding="utf-8") for f in files}
    last = tasks[-1]
    target = last.files[0]
    wrong, hanging = dict(solution), dict(solution)
    wrong[target] = replace_first_region(solution[target], last.id, "pass")
    hanging[target] = replace_first_region(solution[target], last.id, "while True:\n"
                                           f"{' ' * 4}{_indent_of(solution[target], last.id)}"
                                           "pass")
    return {"correct": solution, "wrong": wrong,
            "flat": {f.rsplit("/", 1)[-1]: text for f, text in solution.items()},
            "empty": {}, "broken": {**solution, target: solution[target] + "\ndef broken(:\n"},
            "hanging": hanging}


def _indent_of(text: str, task_id: str) -> str:
    return next(r for r in find_regions(text) if r.task == task_id).indent


def expectations(course: Course, number: int) -> Dict[str, Callable[[dict], List[str]]]:
    """{scenario: check(results) -> problems}."""
    tasks = course.assignment(number).tasks
    last, total = tasks[-1], course.assignment(number).points
    target = last.files[0]
    touched = {t.id for t in tasks if target in t.files}

    def by_task(data) -> Dict[str, list]:
        found: Dict[str, list] = {}
        for test in data["tests"]:
            found.setdefault(test["name"].split(":")[0].removeprefix("Task "), []).append(test)
        return found

    def full(data, ids) -> List[str]:
        entries = by_task(data)
        return [f"task {i} scored {sum(t['score'] for t in entries.get(i, []))}, not full marks"
                for i in ids if abs(sum(t["score"] for t in entries.get(i, [])) -
                                    course.task(i).points) > 1e-6]

    def zero_with(data, ids, words) -> List[str]:
        entries, out = by_task(data), []
        for i in ids:
            tests = entries.get(i, [])
            if sum(t["score"] for t in tests) != 0:
                out.append(f"task {i} should score 0")
            if not all(any(w in t["output"] for w in words) for t in tests):
                out.append(f"task {i}'s output does not say {words[0]!r}")
        return out

    def short(data) -> List[str]:
        longest = max((len(t["output"]) for t in data["tests"]), default=0)
        return [] if longest < 4000 else [f"a test output is {longest} characters long"]

    others = [t.id for t in tasks if t.id not in touched]
    lower = [t.id for t in tasks if t.id != last.id]
    return {
        "correct": lambda d: full(d, [t.id for t in tasks]) +
        ([] if abs(d["score"] - total) < 1e-6 else [f"score {d['score']} != {total}"]),
        "wrong": lambda d: full(d, lower) + (
            [] if sum(t["score"] for t in by_task(d)[last.id]) < last.points
            else [f"task {last.id} kept full marks"]),
        "flat": lambda d: full(d, [t.id for t in tasks]),
        "empty": lambda d: zero_with(d, [t.id for t in tasks], ["not found"]) +
        ([] if d["score"] == 0 else ["score is not 0"]),
        "broken": lambda d: zero_with(d, sorted(touched), ["SyntaxError"]) + full(d, others) +
        short(d),
        "hanging": lambda d: full(d, lower) + (
            [] if any("Timeout" in t["output"] or "did not run" in t["output"]
                      for t in by_task(d)[last.id]) else [f"task {last.id} shows no timeout"]),
    }


def selftest(root: Path, course: Course, number: int, test_timeout: float = 20.0,
             budget: float = 240.0, python: Optional[str] = None, log=print) -> List[str]:
    """Run every scenario through the bundle's run_autograder; return the problems found."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="course-selftest-") as scratch:
        gradescope = Path(scratch) / "autograder"
        bundle = Path(scratch) / "autograder.zip"
        log(build_bundle(root, course, number, bundle, test_timeout, budget))
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(gradescope / "source")
            for info in archive.infolist():  # zipfile drops the executable bits
                mode = info.external_attr >> 16
                if mode:
                    os.chmod(gradescope / "source" / info.filename, mode & 0o777)
        checks = expectations(course, number)
        for name, files in submissions(root, course, number).items():
            shutil.rmtree(gradescope / "submission", ignore_errors=True)
            shutil.rmtree(gradescope / "results", ignore_errors=True)
            for path, text in files.items():
                (gradescope / "submission" / path).parent.mkdir(parents=True, exist_ok=True)
                (gradescope / "submission" / path).write_text(text, encoding="utf-8")
            (gradescope / "submission").mkdir(exist_ok=True)
            env = dict(os.environ, AUTOGRADER_ROOT=str(gradescope),
                       AUTOGRADER_PYTHON=python or sys.executable)
            env.pop("PYTHONPATH", None)  # as on Gradescope: only what setup.sh installed
            start = time.monotonic()
            subprocess.run(["bash", str(gradescope / "source" / "run_autograder")], env=env,
                           cwd=gradescope, capture_output=True, timeout=budget + 600)
            seconds = time.monotonic() - start
            results = gradescope / "results" / "results.json"
            if not results.is_file():
                problems.append(f"{name}: no results.json")
                continue
            data = json.loads(results.read_text(encoding="utf-8"))
            found = format_problems(data) or checks[name](data)
            log(f"  {name:<8} score {data.get('score'):>6} of {course.assignment(number).points:g}"
                f" in {seconds:.0f} s: {'ok' if not found else '; '.join(found)}")
            problems += [f"{name}: {p}" for p in found]
    return problems
