"""Scores per task, the table `grade` prints, and Gradescope's results.json.

A task's points are split between its public and hidden tests (`hidden_points`); each part
scores its points times the fraction of its tests that passed. A task without hidden tests
(in this tree: a student's handout has none) is scored on its public tests alone. Skipped
tests (an optional tool such as PyTorch missing) do not count either way; a part none of
whose tests ran scores 0. A task whose file is missing or broken in a submission scores 0,
with one line saying why. Every failing test is listed with the one line it failed with.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

from .runner import CaseResult, RunResult
from .spec import Course, Task

SHOWN_FAILURES = 10  # per task, in the printed table and the Gradescope output


@dataclass
class TaskScore:
    task: Task
    public: List[CaseResult]
    hidden: List[CaseResult]
    problems: List[str] = field(default_factory=list)  # its file missing or broken

    @staticmethod
    def _counted(results: List[CaseResult]) -> List[CaseResult]:
        return [r for r in results if r.outcome != "skipped"]

    @staticmethod
    def _fraction(results: List[CaseResult]) -> float:
        counted = TaskScore._counted(results)
        return sum(r.outcome == "passed" for r in counted) / len(counted) if counted else 0.0

    def part_scores(self) -> Dict[str, float]:
        """{"public": points, "hidden": points} scored; one part when there are no hidden."""
        if self.problems:
            return {"public": 0.0, "hidden": 0.0} if self.hidden else {"public": 0.0}
        if not self.hidden:
            return {"public": self.task.points * self._fraction(self.public)}
        return {"public": self.task.public_points * self._fraction(self.public),
                "hidden": self.task.hidden_points * self._fraction(self.hidden)}

    def part_max(self, part: str) -> float:
        if not self.hidden:
            return self.task.points
        return self.task.public_points if part == "public" else self.task.hidden_points

    @property
    def score(self) -> float:
        return sum(self.part_scores().values())

    def counts(self, part: str) -> str:
        results = self.public if part == "public" else self.hidden
        counted = self._counted(results)
        if not results:
            return "-"
        return f"{sum(r.outcome == 'passed' for r in counted)}/{len(counted)}"

    def failures(self, part: str) -> List[CaseResult]:
        results = self.public if part == "public" else self.hidden
        return [r for r in results if r.outcome == "failed"]

    def lines(self, part: str) -> List[str]:
        """Why the part lost points: the task's problems, else each failing test."""
        if self.problems:
            return [f"{p} (task {self.task.id} scores 0)" for p in self.problems]
        failures = self.failures(part)
        out = [f"FAILED {r.nodeid}: {r.message}" for r in failures[:SHOWN_FAILURES]]
        if len(failures) > SHOWN_FAILURES:
            out.append(f"... and {len(failures) - SHOWN_FAILURES} more failing tests")
        skipped = [r for r in (self.public if part == "public" else self.hidden)
                   if r.outcome == "skipped"]
        if skipped:
            out.append(f"{len(skipped)} skipped (not counted): {skipped[0].message}")
        return out

    def summary(self, part: str) -> str:
        results = self.public if part == "public" else self.hidden
        head = f"{self.counts(part)} {part} tests passed" if results else \
            f"no {part} test of this task ran"
        return "\n".join([head] + self.lines(part))


@dataclass
class GradeReport:
    scores: List[TaskScore]
    run: RunResult
    seconds: float
    notes: List[str] = field(default_factory=list)     # submission-wide, one line each
    handout: bool = False                              # graded without the hidden tests

    @property
    def total(self) -> float:
        return sum(s.score for s in self.scores)

    @property
    def max_total(self) -> float:
        return sum(s.task.points if not self.handout or s.hidden else s.task.public_points
                   for s in self.scores)

    @property
    def problems(self) -> List[str]:
        return [p for s in self.scores for p in s.problems]

    def table(self) -> str:
        width = max(len(s.task.title) for s in self.scores)
        lines = [f"{'task':<5} {'title':<{width}}  {'public':>7} {'hidden':>7}  {'score':>11}"]
        for s in self.scores:
            top = s.task.public_points if self.handout and not s.hidden else s.task.points
            lines.append(f"{s.task.id:<5} {s.task.title:<{width}}  {s.counts('public'):>7} "
                         f"{s.counts('hidden'):>7}  {s.score:>5.1f} / {top:<3g}")
        lines.append(f"{'total':<5} {'':<{width}}  {'':>7} {'':>7}  "
                     f"{self.total:>5.1f} / {self.max_total:<3g}")
        if self.handout:
            hidden = sum(s.task.hidden_points for s in self.scores)
            lines.append(f"Hidden tests are not in your copy: they carry {hidden:g} more "
                         f"points, and run when your work is graded.")
        for s in self.scores:
            for part in ("public", "hidden"):
                lines += [f"  {s.task.id} {line}" for line in s.lines(part)
                          if part == "public" or s.hidden]
                if s.problems:
                    break
        lines += self.notes
        return "\n".join(lines)

    def gradescope(self, course: Course) -> dict:
        """The results.json Gradescope expects from an autograder."""
        tests = []
        for s in self.scores:
            scored = s.part_scores()
            for part, score in scored.items():
                name = f"Task {s.task.id}: {s.task.title}"
                if len(scored) > 1:
                    name += f" ({part} tests)"
                failed = bool(s.problems) or bool(s.failures(part)) or \
                    not TaskScore._counted(s.public if part == "public" else s.hidden)
                tests.append({
                    "name": name, "number": s.task.id if len(scored) == 1 else
                    f"{s.task.id}.{'1' if part == 'public' else '2'}",
                    "score": round(score, 4), "max_score": s.part_max(part),
                    "status": "failed" if failed else "passed", "output": s.summary(part),
                    "visibility": "visible" if part == "public"
                    else course.settings.hidden_visibility})
        output = [f"Score {self.total:.1f} of {self.max_total:g}."] + self.problems + self.notes
        return {"score": round(sum(t["score"] for t in tests), 4),
                "execution_time": round(self.seconds, 2), "output": "\n".join(output),
                "output_format": "text", "visibility": "visible",
                "stdout_visibility": "hidden", "tests": tests}
