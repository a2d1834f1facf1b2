"""`python -m course grade [--assignment N] [--json results.json]`: score the tests by task.

One pytest run selects the tests marked with the chosen tasks (`-m "task_1_1 or ..."`). A
task scores its points times the fraction of its tests that passed; skipped tests (an
optional tool such as PyTorch missing) do not count either way, and a task none of whose
tests ran scores 0. `--json` writes Gradescope's autograder results format
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): one entry per task.
`--submission DIR` grades the task files found in DIR against this repository's tests.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from .runner import CaseResult, RunResult, run_pytest
from .spec import Course, Task
from .tree import repo_files, write_tree

SHOWN_FAILURES = 8  # per task, in the printed table and the Gradescope output


@dataclass
class TaskScore:
    task: Task
    results: List[CaseResult]

    @property
    def counted(self) -> List[CaseResult]:
        return [r for r in self.results if r.outcome != "skipped"]

    @property
    def passed(self) -> int:
        return sum(r.outcome == "passed" for r in self.counted)

    @property
    def score(self) -> float:
        counted = self.counted
        return self.task.points * self.passed / len(counted) if counted else 0.0

    @property
    def failures(self) -> List[CaseResult]:
        return [r for r in self.counted if r.outcome == "failed"]

    def summary(self) -> str:
        skipped = len(self.results) - len(self.counted)
        text = f"{self.passed} of {len(self.counted)} tests passed"
        if skipped:
            text += f" ({skipped} skipped)"
        if not self.results:
            text = "no test of this task ran"
        lines = [text] + [f"FAILED {r.nodeid}: {r.message}" for r in
                          self.failures[:SHOWN_FAILURES]]
        if len(self.failures) > SHOWN_FAILURES:
            lines.append(f"... and {len(self.failures) - SHOWN_FAILURES} more")
        return "\n".join(lines)


@dataclass
class GradeReport:
    scores: List[TaskScore]
    run: RunResult
    seconds: float

    @property
    def total(self) -> float:
        return sum(s.score for s in self.scores)

    @property
    def max_total(self) -> float:
        return sum(s.task.points for s in self.scores)

    def table(self) -> str:
        width = max(len(s.task.title) for s in self.scores)
        lines = [f"{'task':<5} {'title':<{width}}  {'tests':>7}  {'score':>11}"]
        for s in self.scores:
            tests = f"{s.passed}/{len(s.counted)}"
            lines.append(f"{s.task.id:<5} {s.task.title:<{width}}  {tests:>7}  "
                         f"{s.score:>5.1f} / {s.task.points:<3g}")
        lines.append(f"{'total':<5} {'':<{width}}  {'':>7}  "
                     f"{self.total:>5.1f} / {self.max_total:<3g}")
        for error in self.run.collect_errors:
            lines.append(f"collection error in {error}: its tests did not run")
        return "\n".join(lines)

    def gradescope(self) -> dict:
        """The results.json Gradescope expects from an autograder."""
        tests = [{"name": f"Task {s.task.id}: {s.task.title}", "number": s.task.id,
                  "score": round(s.score, 4), "max_score": s.task.points,
                  "status": "passed" if s.counted and not s.failures else "failed",
                  "output": s.summary(), "visibility": "visible"} for s in self.scores]
        errors = "".join(f"\nCollection error in {name}:\n{text}"
                         for name, text in self.run.collect_errors.items())
        return {"score": round(self.total, 4), "execution_time": round(self.seconds, 2),
                "output": f"Score {self.total:.1f} of {self.max_total:g}.{errors}",
                "output_format": "text", "visibility": "visible", "stdout_visibility": "visible",
                "tests": tests}


def grade_submission(root: Path, course: Course, submission: Path,
                     number: Optional[int] = None, workers: int = 0) -> GradeReport:
    """Grade a student's files with the instructor's tests (an autograder's view).

    A copy of `root` is made with the chosen assignments blanked, then the files their tasks
    live in are taken from `submission` (same relative paths) where it has them; everything
    else, the tests above all, stays the instructor's.
    """
    chosen = {task.id for a in course.select(number) for task in a.tasks}
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        tree = Path(scratch) / "repo"
        write_tree(root, tree, repo_files(root), course, lambda task_id: task_id in chosen)
        for name in sorted({f for a in course.select(number) for t in a.tasks for f in t.files}):
            if (Path(submission) / name).is_file():
                shutil.copyfile(Path(submission) / name, tree / name)
        return grade(tree, course, number, workers)


def grade(root: Path, course: Course, number: Optional[int] = None,
          workers: int = 0) -> GradeReport:
    """Run the tests of the chosen assignments (all when `number` is None) and score them."""
    tasks = [task for assignment in course.select(number) for task in assignment.tasks]
    start = time.monotonic()
    run = run_pytest(root, ["tests", "-m", " or ".join(t.marker for t in tasks),
                            "--continue-on-collection-errors"], workers=workers)
    scores = [TaskScore(task, [r for r in run.tests.values() if task.marker in r.tasks])
              for task in tasks]
    return GradeReport(scores, run, time.monotonic() - start)
