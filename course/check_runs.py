"""The pytest runs of `course check`: each task blanks, fails on its stub, passes when solved.

For an assignment with tasks t1..tk the checker builds the trees a student passes through:
Sj has tj..tk blanked (S1 is what the student receives), and the solution has them all
written. Every later assignment is blanked in all of them as well, with what would give its
tasks away: the whole-course handout is worked assignment by assignment, so an assignment's
tests may use its own and earlier tasks, never a later one. Public tests run in **handout
trees** (course/handout.py: the hidden tests, the files and functions that would give a task
away are gone, as for the student); hidden tests
in **grading trees** (everything of the instructor's in place, as when a submission is
graded). With one pytest run per tree and kind of test:

- in S1, every test of the assignment's public test files that carries no marker of its
  tasks passes: the handout imports, and everything outside the assignment works without
  the code it left out;
- in Sj, every test of tj fails with tj's own NotImplementedError: a test that passes on the
  stub, or fails for another reason (say it needs a later task), is an error;
- in S(j+1), and in the solution for tk, every test of tj passes: a task's tests need nothing
  beyond the tasks before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set

from .handout import plan_tree
from .runner import CaseResult, RunResult, hypothesis_options, run_pytest
from .spec import Assignment, Course, Task

STUB = re.compile(r"NotImplementedError: Task (\d+\.\d+):")


@dataclass
class Run:
    """One pytest run: in a tree with `blanked` tasks, over `paths`, with the plugin's filter."""
    name: str
    assignment: Assignment
    blanked: List[Task]      # the tasks of `assignment` blanked (later assignments' are too)
    paths: List[str]
    select: dict
    must_fail: Optional[Task] = None
    must_pass: List[Task] = field(default_factory=list)
    own_files: List[str] = field(default_factory=list)  # S1: the assignment's test files
    handout: bool = True     # a handout tree (public tests) or a grading tree (hidden ones)
    later: List[Task] = field(default_factory=list)  # the tasks of later assignments
    result: Optional[RunResult] = None
    error: str = ""  # set when the run could not start


def plan(course: Course, assignments: List[Assignment], collected: Dict[str, List[str]],
         full: bool) -> List[Run]:
    """The runs that check every task of `assignments` (see the module docstring)."""
    def files_of(markers: Set[str], hidden: bool) -> List[str]:
        return sorted({nodeid.split("::")[0] for nodeid, marks in collected.items()
                       if markers & set(marks) and course.is_hidden_test(nodeid) == hidden})

    runs, last_tasks = [], []
    for assignment in assignments:
        first = len(runs)
        tasks = list(assignment.tasks)
        markers = [task.marker for task in tasks]
        own_files = files_of(set(markers), hidden=False)
        number = assignment.number
        runs.append(Run(f"assignment {number}, as handed out", assignment, tasks,
                        ["tests"] if full else own_files,
                        {"tasks": [markers[0]], "assignment": markers,
                         "unmarked_in": "*" if full else own_files},
                        must_fail=tasks[0], own_files=own_files))
        for j in range(len(tasks)):
            pair = {markers[j - 1], markers[j]} if j else {markers[j]}
            before = [tasks[j - 1]] if j else []
            name = f"assignment {number}, tasks before {tasks[j].id} done"
            if j:
                runs.append(Run(name, assignment, tasks[j:], files_of(pair, False),
                                {"tasks": sorted(pair)}, must_fail=tasks[j], must_pass=before))
            hidden = [t for t in before + [tasks[j]] if files_of({t.marker}, True)]
            if hidden:
                runs.append(Run(f"{name}, hidden tests" if j else
                                f"assignment {number}, hidden tests on the stubs", assignment,
                                tasks[j:], files_of({t.marker for t in hidden}, True),
                                {"tasks": sorted(t.marker for t in hidden)},
                                must_fail=tasks[j] if tasks[j] in hidden else None,
                                must_pass=[t for t in before if t in hidden], handout=False))
        later = [t for a in course.assignments if a.number > assignment.number for t in a.tasks]
        for run in runs[first:]:
            run.later = later
        last_tasks.append((assignment, tasks[-1]))
    finals = {task.marker for _, task in last_tasks}
    runs.append(Run("the solution", assignments[0], [],
                    files_of(finals, False) + files_of(finals, True),
                    {"tasks": sorted(finals)}, must_pass=[task for _, task in last_tasks]))
    return runs


def _stopped_by(test: CaseResult, run: Run) -> Optional[Task]:
    """The blanked task (of this assignment or a later one) whose stub the failure names first
    (in its message, else its traceback): a test may report a caught error inside an
    assertion message."""
    for text in (test.message, test.details):
        found = STUB.search(text)
        if found:
            return next((t for t in list(run.assignment.tasks) + run.later
                         if t.id == found.group(1)), None)
    return None


def _need(run: Run, task: Task, own: str) -> str:
    """What to do about a test that stopped at `task`'s stub: `own` when the task is this
    assignment's, else that it needs a later assignment."""
    if task in run.later:
        return (f"it needs task {task.id} of a later assignment: test with an independent "
                f"reference instead, or mark it {task.marker}")
    return own


def _judge_stubbed(run: Run, test: CaseResult) -> List[str]:
    """A test of the task whose stub is in place: it must fail, naming that stub."""
    task = run.must_fail
    if test.outcome == "passed":
        return [f"task {task.id}: {test.nodeid} passes on the stub"]
    stopped = _stopped_by(test, run)
    if test.outcome == "failed" and stopped != task:
        hint = ""
        if stopped:
            own = f"it needs task {stopped.id}: mark it {stopped.marker}"
            hint = f" ({_need(run, stopped, own)})"
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
        if test.outcome != "failed" or any(t in run.later for t in mine):
            continue  # a later task's test is judged in its own assignment's runs
        blocker = _stopped_by(test, run) if run.blanked else None
        owner = next((t for t in mine if t in run.must_pass), None)
        if owner is not None:
            need = f" ({_need(run, blocker, f'it needs task {blocker.id}')})" if blocker else ""
            problems.append(f"task {owner.id}: {test.nodeid} fails in {run.name}{need}: "
                            f"{test.message}")
        elif blocker is not None and full and test.nodeid.split("::")[0] not in run.own_files:
            notes.append((blocker.id, test.nodeid.split("::")[0]))
        else:
            hint = f"; {_need(run, blocker, f'mark it {blocker.marker}')}" if blocker else ""
            problems.append(f"{test.nodeid} fails in {run.name}{hint}: {test.message}")
    task = run.must_fail
    if task and not any(t.outcome == "failed" and task.marker in t.tasks
                        for t in result.tests.values()):
        problems.append(f"task {task.id}: none of its tests failed on the stub in {run.name}")
    return problems, notes


def execute(run: Run, root: Path, files: List[str], course: Course, scratch: Path) -> Run:
    """Build the run's tree (none for the solution) and run its pytest."""
    tree = root
    if run.blanked:
        tree = scratch / run.name.replace(" ", "-").replace(",", "")
        later = {task.id for task in run.later}
        ids = {task.id for task in run.blanked} | later
        tree_plan = plan_tree(root, course, files, ids, student=run.handout,
                              giveaways={t.id for t in run.assignment.tasks} | later)
        for name in tree_plan.write(tree):
            if not name.endswith(".py"):
                continue
            try:
                compile((tree / name).read_text(encoding="utf-8"), name, "exec")
            except SyntaxError as error:
                run.error = f"{run.name}: the stubbed {name} does not compile: {error}"
                return run
        run.paths = [p for p in run.paths if (tree / p).exists() or p == "tests"]
    run.result = run_pytest(tree, hypothesis_options(tree, run.paths) + run.paths, run.select)
    return run
