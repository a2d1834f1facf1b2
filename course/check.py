"""`python -m course check`: prove that every task can be handed out and graded.

For an assignment with tasks t1..tk the checker builds the trees a student passes through:
P1 has t1..tk blanked (what the student receives), P2 has t1 solved and t2..tk blanked, ...,
and the solution has them all. Then, with one pytest run per tree:

- in P1, every test of the assignment's test files that carries no marker of its tasks
  passes: the student version imports and everything outside the assignment works;
- in Pj, every test of tj fails with tj's own NotImplementedError: a test that passes on
  the stub, or fails for another reason (say it needs a later task), is an error;
- in P(j+1), and in the solution for tk, every test of tj passes: a task's tests need
  nothing beyond the tasks before it.

Each task's tests thus run twice and the rest of the assignment's files once, instead of the
whole suite once per task. Before any of that: markers must balance, every task must have
regions in exactly its listed files and at least one test, and a test may carry at most one
task of an assignment. `--full` also runs the whole suite in P1 and lists the tests outside
the assignment's files that its stubs stop (expected: they use its code).
"""
from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set

from .markers import MarkerError
from .runner import CaseResult, RunResult, hypothesis_options, run_pytest
from .spec import Assignment, Course, Task
from .tree import repo_files, scan_regions, write_tree


@dataclass
class Run:
    """One pytest run: in a tree with `blanked` tasks, over `paths`, with the plugin's filter."""
    name: str
    assignment: Assignment
    blanked: List[Task]
    paths: List[str]
    select: dict
    must_fail: Optional[Task] = None
    must_pass: List[Task] = field(default_factory=list)
    own_files: List[str] = field(default_factory=list)  # P1: the assignment's test files
    result: Optional[RunResult] = None
    error: str = ""  # set when the run could not start


def structural_problems(root: Path, course: Course, files: List[str]) -> List[str]:
    """Marker and toml consistency: each task's regions are in exactly its listed files."""
    try:
        regions = scan_regions(root, files)
    except MarkerError as error:
        return [str(error)]
    problems, found = [], {}
    known = {task.id for task in course.tasks}
    for path, file_regions in regions.items():
        for region in file_regions:
            if region.task not in known:
                problems.append(f"{path}:{region.begin + 1}: a region of task {region.task}, "
                                f"which course/assignments.toml does not define")
            found.setdefault(region.task, set()).add(path)
    for task in course.tasks:
        where = found.get(task.id, set())
        for path in sorted(set(task.files) - where):
            problems.append(f"task {task.id}: lists {path} but no region of it is marked there")
        for path in sorted(where - set(task.files)):
            problems.append(f"task {task.id}: has a region in {path}, not in its 'files'")
    return problems


def marking_problems(course: Course, collected: Dict[str, List[str]]) -> List[str]:
    """Every task has tests; no test carries two tasks of one assignment."""
    problems = []
    for task in course.tasks:
        if not any(task.marker in markers for markers in collected.values()):
            problems.append(f"task {task.id}: no test is marked {task.marker}")
    for nodeid, markers in collected.items():
        numbers = [m.split("_")[1] for m in markers]
        if len(numbers) != len(set(numbers)):
            problems.append(f"{nodeid}: marked {', '.join(markers)}; mark only the last task "
                            f"of an assignment that it needs")
    return problems


def plan(assignments: List[Assignment], collected: Dict[str, List[str]],
         full: bool) -> List[Run]:
    """The runs that check every task of `assignments` (see the module docstring)."""
    def files_of(markers: Set[str]) -> List[str]:
        return sorted({nodeid.split("::")[0] for nodeid, marks in collected.items()
                       if markers & set(marks)})

    runs, last_tasks = [], []
    for assignment in assignments:
        tasks = list(assignment.tasks)
        markers = [task.marker for task in tasks]
        own_files = files_of(set(markers))
        runs.append(Run(f"assignment {assignment.number}, as handed out", assignment, tasks,
                        ["tests"] if full else own_files,
                        {"tasks": [markers[0]], "assignment": markers,
                         "unmarked_in": "*" if full else own_files},
                        must_fail=tasks[0], own_files=own_files))
        for j in range(1, len(tasks)):
            pair = {markers[j - 1], markers[j]}
            runs.append(Run(f"assignment {assignment.number}, tasks before {tasks[j].id} done",
                            assignment, tasks[j:], files_of(pair), {"tasks": sorted(pair)},
                            must_fail=tasks[j], must_pass=[tasks[j - 1]]))
        last_tasks.append((assignment, tasks[-1]))
    finals = {task.marker for _, task in last_tasks}
    runs.append(Run("the solution", assignments[0], [], files_of(finals),
                    {"tasks": sorted(finals)}, must_pass=[task for _, task in last_tasks]))
    return runs


STUB = re.compile(r"NotImplementedError: Task (\d+\.\d+):")


def _stopped_by(test: CaseResult, assignment: Assignment) -> Optional[Task]:
    """The task of this assignment whose stub the failure names first (in its message, else
    its traceback): a test may report a caught error inside an assertion message."""
    for text in (test.message, test.details):
        found = STUB.search(text)
        if found:
            return next((t for t in assignment.tasks if t.id == found.group(1)), None)
    return None


def _judge_stubbed(run: Run, test: CaseResult) -> List[str]:
    """A test of the task whose stub is in place: it must fail, naming that stub."""
    task = run.must_fail
    if test.outcome == "passed":
        return [f"task {task.id}: {test.nodeid} passes on the stub"]
    stopped = _stopped_by(test, run.assignment)
    if test.outcome == "failed" and stopped != task:
        hint = f" (it needs task {stopped.id}: mark it {stopped.marker})" if stopped else ""
        return [f"task {task.id}: {test.nodeid} fails on the stub, but not with its "
                f"NotImplementedError{hint}: {test.message}"]
    return []


def judge(run: Run, course: Course, full: bool) -> tuple:
    """(problems, notes) of a finished run; a note is (task id, test file) of a test outside
    the assignment's files that a stub stopped (with --full)."""
    if run.error:
        return [run.error], []
    result, problems, notes = run.result, [], []
    for name, text in result.collect_errors.items():
        problems.append(f"{run.name}: collection error in {name}: {text.strip()[-500:]}")
    by_marker = {t.marker: t for t in course.tasks}
    for test in result.tests.values():
        mine = [by_marker[m] for m in test.tasks if m in by_marker]
        if run.must_fail in mine:
            problems += _judge_stubbed(run, test)
            continue
        if test.outcome != "failed":
            continue
        blocker = _stopped_by(test, run.assignment) if run.blanked else None
        owner = next((t for t in mine if t in run.must_pass), None)
        if owner is not None:
            need = f" (it needs task {blocker.id})" if blocker else ""
            problems.append(f"task {owner.id}: {test.nodeid} fails in {run.name}{need}: "
                            f"{test.message}")
        elif blocker is not None and full and test.nodeid.split("::")[0] not in run.own_files:
            notes.append((blocker.id, test.nodeid.split("::")[0]))
        else:
            hint = f"; mark it {blocker.marker}" if blocker else ""
            problems.append(f"{test.nodeid} fails in {run.name}{hint}: {test.message}")
    task = run.must_fail
    if task and not any(t.outcome == "failed" and task.marker in t.tasks
                        for t in result.tests.values()):
        problems.append(f"task {task.id}: none of its tests failed on the stub in {run.name}")
    return problems, notes


def _execute(run: Run, root: Path, files: List[str], course: Course, scratch: Path) -> Run:
    tree = root
    if run.blanked:
        tree = scratch / run.name.replace(" ", "-").replace(",", "")
        ids = {task.id for task in run.blanked}
        changed = write_tree(root, tree, files, course, lambda task_id: task_id in ids)
        for name in changed:
            try:
                compile((tree / name).read_text(encoding="utf-8"), name, "exec")
            except SyntaxError as error:
                run.error = f"{run.name}: the stubbed {name} does not compile: {error}"
                return run
    run.result = run_pytest(tree, hypothesis_options(tree, run.paths) + run.paths, run.select)
    return run


def check(root: Path, course: Course, number: Optional[int] = None, jobs: int = 2,
          full: bool = False, keep: Optional[Path] = None, log=print) -> List[str]:
    """Check every assignment (or just assignment `number`); return the problems found."""
    start = time.monotonic()
    root = Path(root).resolve()
    files = repo_files(root)
    problems = structural_problems(root, course, files)
    if problems:
        return problems
    collection = run_pytest(root, hypothesis_options(root, ["tests"]) + ["--collect-only",
                                                                          "tests"])
    problems += [f"the solution: collection error in {name}: {text.strip()[-500:]}"
                 for name, text in collection.collect_errors.items()]
    problems += marking_problems(course, collection.collected)
    if problems:
        return problems
    runs = plan(course.select(number), collection.collected, full)
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        where = Path(keep) if keep else Path(scratch)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            finished = list(pool.map(lambda r: _execute(r, root, files, course, where), runs))
    notes = []
    for run in finished:
        run_problems, run_notes = judge(run, course, full)
        problems += run_problems
        notes += run_notes
        tests = len(run.result.tests) if run.result else 0
        log(f"  {run.name:<48} {tests:>4} tests  "
            f"{'ok' if not run_problems else f'{len(run_problems)} problem(s)'}")
    for task_id in sorted({task_id for task_id, _ in notes}):
        files = Counter(path for t, path in notes if t == task_id)
        where = ", ".join(f"{path} ({n})" for path, n in sorted(files.items()))
        log(f"  outside the assignment's test files, task {task_id}'s stub stops "
            f"{sum(files.values())} tests (they use its code): {where}")
    tasks = sum(len(a.tasks) for a in course.select(number))
    log(f"checked {tasks} tasks of {len(course.select(number))} assignment(s) with "
        f"{len(runs)} pytest runs in {time.monotonic() - start:.0f} s")
    return problems
