"""The mutation stage of `course check` (and `python -m course mutate`): scores and verdicts.

A task's score is the share of its mutants that its tests kill, leaving out the survivors
listed in the toml as equivalent (`[[assignment.task.equivalent_mutant]]`, with a reason).
Below [course] mutation_threshold is a problem when [course] enforce_mutation_score is true,
a WARNING otherwise. A listed equivalent mutant that is killed, or that is no longer
generated, is a problem: the list must stay true. A task whose baseline fails (its tests
do not all pass on the solution inside the worker) is a problem too.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from .mutation_run import TaskMutation, run_mutation
from .spec import Course
from .tree import scan_regions


def table(work: List[TaskMutation], threshold: float) -> List[str]:
    lines = [f"  {'task':<5} {'mutants':>7} {'killed':>6} {'equiv.':>6} {'survived':>8} "
             f"{'score':>6} {'seconds':>8}"]
    for w in work:
        killed = sum(r.get("status") in ("killed", "timeout") for r in w.results.values())
        equivalent = len(w.equivalent())
        survived = len(w.survivors()) - equivalent
        score = "n/a" if w.score is None else f"{100 * w.score:.0f}%"
        flag = "" if w.score is None or w.score >= threshold else "  below threshold"
        lines.append(f"  {w.task.id:<5} {len(w.mutants):>7} {killed:>6} {equivalent:>6} "
                     f"{survived:>8} {score:>6} {w.seconds:>8.0f}{flag}")
    return lines


def judge(course: Course, work: List[TaskMutation]) -> tuple:
    """(problems, warnings, survivors) of a finished mutation run."""
    settings = course.settings
    problems, warnings, survivors = [], [], []
    for w in work:
        task = w.task
        baseline = w.baseline or {}
        if baseline.get("status") != "survived":
            detail = baseline.get("message") or "; ".join(
                f"{k}: {v}" for k, v in list(baseline.get("failures", {}).items())[:3])
            problems.append(f"task {task.id}: its tests do not pass on the solution in the "
                            f"mutation worker ({detail})")
            continue
        ids = {m.id for m in w.mutants}
        survived = {m.id for m in w.survivors()}
        for excuse in task.equivalent_mutants:
            if excuse.what not in ids:
                problems.append(f"task {task.id}: the equivalent mutant {excuse.what!r} is no "
                                f"longer generated: remove it from course/assignments.toml")
            elif excuse.what not in survived:
                problems.append(f"task {task.id}: the mutant {excuse.what!r}, listed as "
                                f"equivalent, is killed by its tests: remove it")
        errors = [m for m in w.mutants if w.results.get(m.id, {}).get("status") == "error"]
        for mutant in errors:
            problems.append(f"task {task.id}: mutant {mutant.id!r} could not run: "
                            f"{w.results[mutant.id].get('message')}")
        listed = {e.what for e in task.equivalent_mutants}
        survivors += [f"task {task.id}: {m.path}:{m.line}: {m.id}" for m in w.survivors()
                      if m.id not in listed]
        if w.score is None:
            warnings.append(f"task {task.id}: no mutant could be made of its regions")
        elif w.score < settings.mutation_threshold:
            message = (f"task {task.id}: its tests kill {100 * w.score:.0f}% of its mutants, "
                       f"below {100 * settings.mutation_threshold:.0f}%")
            (problems if settings.enforce_mutation_score else warnings).append(message)
    return problems, warnings, survivors


def mutation_problems(root: Path, course: Course, files: List[str], number: Optional[int],
                      jobs: int, log=print, task_ids: Optional[List[str]] = None) -> List[str]:
    """Run the mutation stage, log its table and survivors; return its problems."""
    tasks = [t for a in course.select(number) for t in a.tasks
             if task_ids is None or t.id in task_ids]
    work = run_mutation(root, course, tasks, scan_regions(root, files), jobs)
    for line in table(work, course.settings.mutation_threshold):
        log(line)
    problems, warnings, survivors = judge(course, work)
    for line in survivors:
        log(f"  survived: {line}")
    hint = "" if course.settings.enforce_mutation_score else \
        " (a problem once [course] enforce_mutation_score = true)"
    for warning in warnings:
        log(f"  WARNING {warning}{hint}")
    return problems
