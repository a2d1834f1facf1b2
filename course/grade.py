"""`python -m course grade [--assignment N] [--json results.json] [--submission DIR]`.

One pytest run selects the tests marked with the chosen tasks (`-m "task_1_1 or ..."`) and
course/grade_report.py scores them. Every test has a time limit ([course] test_timeout, with
pytest-timeout) and the run a budget ([course] grading_budget): a test that hangs fails, and a
run that is stopped still scores what ran; a test that did not run counts as failed, with the
reason. `--submission DIR` grades the task files found in DIR (course/submission.py) with
this repository's tests, hidden ones included: the list of tests comes from this repository,
so a submission that breaks a test file's import loses those tests instead of shrinking the
count. `--json` writes Gradescope's autograder results format
(https://gradescope-autograders.readthedocs.io/en/latest/specs/).
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from .grade_report import GradeReport, TaskScore
from .handout import plan_tree
from .pytest_plugin import one_line
from .runner import CaseResult, RunResult, have_module, hypothesis_options, run_pytest
from .spec import Course, Task
from .submission import find_files, load_problems
from .tree import repo_files


def _tasks(course: Course, number: Optional[int]) -> List[Task]:
    return [task for assignment in course.select(number) for task in assignment.tasks]


def collect_manifest(root: Path, course: Course, tasks: List[Task]) -> Dict[str, List[str]]:
    """{node id: task markers} of the chosen tasks' tests in `root`."""
    markers = {t.marker for t in tasks}
    run = run_pytest(root, hypothesis_options(root, ["tests"]) +
                     ["--collect-only", "tests", "-m", " or ".join(sorted(markers))])
    if run.collect_errors:
        name, text = next(iter(run.collect_errors.items()))
        raise RuntimeError(f"course: the instructor's tests do not collect: {name}: "
                           f"{_error_line(text)}")
    return {n: m for n, m in run.collected.items() if markers & set(m)}


def _error_line(text: str) -> str:
    """The line of a collection error that names the exception."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    return one_line(errors[-1] if errors else (lines[-1] if lines else "unknown error"))


def score(course: Course, tasks: List[Task], run: RunResult, manifest: Dict[str, List[str]],
          file_problems: Dict[str, str]) -> List[TaskScore]:
    """A TaskScore per task: every test of the manifest counts, run or not."""
    broken = {name.split("::")[0]: _error_line(text)
              for name, text in run.collect_errors.items()}
    scores = []
    for task in tasks:
        results = []
        for nodeid in sorted(n for n, marks in manifest.items() if task.marker in marks):
            result = run.tests.get(nodeid)
            if result is None:
                where = nodeid.split("::")[0]
                why = (f"its file could not be collected: {broken[where]}" if where in broken
                       else run.stopped or "it was not collected")
                result = CaseResult(nodeid, "failed", [task.marker], f"did not run: {why}", "",
                                    0.0)
            results.append(result)
        problems = [file_problems[f] for f in task.files if f in file_problems]
        scores.append(TaskScore(task, [r for r in results if not course.is_hidden_test(r.nodeid)],
                                [r for r in results if course.is_hidden_test(r.nodeid)],
                                problems))
    return scores


def _notes(run: RunResult, manifest: Dict[str, List[str]]) -> List[str]:
    notes = []
    for name, text in sorted(run.collect_errors.items()):
        lost = sum(n.split("::")[0] == name for n in manifest if n not in run.tests)
        notes.append(f"{name} could not be collected ({_error_line(text)}): its {lost} tests "
                     f"count as failed")
    if run.stopped:
        notes.append(f"The test run stopped early: {run.stopped}; the tests it did not reach "
                     f"count as failed.")
        if not have_module("pytest_timeout"):
            notes.append("pytest-timeout is not installed here, so a test that hangs could not "
                         "be stopped on its own and took the whole run with it: install the "
                         "dev extra (pip install -e \".[dev]\")")
    return notes


def grade(root: Path, course: Course, number: Optional[int] = None, workers: int = 0,
          manifest: Optional[Dict[str, List[str]]] = None,
          file_problems: Optional[Dict[str, str]] = None,
          test_timeout: Optional[float] = None, budget: Optional[float] = None) -> GradeReport:
    """Run the tests of the chosen assignments (all when `number` is None) and score them."""
    tasks = _tasks(course, number)
    settings = course.settings
    start = time.monotonic()
    run = run_pytest(root, hypothesis_options(root, ["tests"]) +
                     ["tests", "-m", " or ".join(t.marker for t in tasks),
                      "--continue-on-collection-errors"], workers=workers,
                     timeout=budget or settings.grading_budget,
                     test_timeout=test_timeout or settings.test_timeout, strict=False,
                     order=[t.marker for t in tasks])
    manifest = run.collected if manifest is None else manifest
    scores = score(course, tasks, run, manifest, file_problems or {})
    return GradeReport(scores, run, time.monotonic() - start, _notes(run, manifest),
                       handout=settings.handout)


def grade_submission(root: Path, course: Course, submission: Path,
                     number: Optional[int] = None, workers: int = 0,
                     manifest: Optional[Dict[str, List[str]]] = None,
                     test_timeout: Optional[float] = None,
                     budget: Optional[float] = None) -> GradeReport:
    """Grade a student's files with the instructor's tests (an autograder's view).

    A grading tree of `root` is made with the chosen assignments blanked, then the task files
    found in `submission` are copied in; everything else, the tests above all, stays the
    instructor's. A missing or broken file is a one-line problem of the tasks it holds.
    """
    tasks = _tasks(course, number)
    chosen = {task.id for task in tasks}
    if manifest is None:
        manifest = collect_manifest(root, course, tasks)
    wanted = sorted({f for task in tasks for f in task.files})
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        tree = Path(scratch) / "repo"
        plan = plan_tree(root, course, repo_files(root), chosen)
        plan.write(tree)
        stubs = {name: plan.read(name) for name in wanted}
        problems, copied = {}, []
        found = find_files(Path(submission), wanted)
        for name, where in found.items():
            if where.path is None:
                problems[name] = where.problem
            else:
                shutil.copyfile(where.path, tree / name)
                copied.append(name)
        problems.update(load_problems(tree, copied, stubs))
        report = grade(tree, course, number, workers, manifest, problems, test_timeout, budget)
        if not copied:
            report.notes.insert(0, "None of the task files was found in the submission: "
                                   f"expected {', '.join(wanted)}.")
        return report
