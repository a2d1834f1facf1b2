"""`python -m course check`: prove that every task can be handed out and graded.

In order, each stage timed:

1. **structure**: markers balance; every task has TASK regions in exactly its listed files and
   HIDE regions in exactly its `hide_in` files; every file it leaves out and function it
   blanks exists (course/handout.py); the pages' points tables match the toml (course/docs.py);
2. **tests**: every task has public tests and hidden tests (under [course] hidden_tests); no
   test carries two tasks of one assignment;
3. **runs**: the pytest runs of course/check_runs.py: each task's tests fail on its stub and
   pass when it is written; the rest of each handout passes;
4. **leaks**: no handout carries a copy of a blanked solution (course/leak_check.py);
5. **mutation**: each task's tests kill at least [course] mutation_threshold of the mutants
   of its solution (course/mutation_run.py).

What [course] does not enforce yet (`require_hidden_tests`, `enforce_mutation_score`) and
the known leaks are printed as WARNING and known-leak lines, not returned as problems.
`--full` also runs the whole suite on each handed-out version and lists the tests outside the
assignment's files that its stubs stop (expected: they use its code).
"""
from __future__ import annotations

import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .check_runs import execute, judge, plan
from .docs import docs_problems
from .handout import giveaway_problems
from .leak_check import find_leaks, judge_leaks
from .markers import MarkerError
from .runner import hypothesis_options, run_pytest
from .spec import Course
from .tree import repo_files, scan_regions, untracked_files


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
                problems.append(f"{path}:{region.begin + 1}: a {region.label} region, but "
                                f"course/assignments.toml defines no task {region.task}")
            elif not region.hide:
                found.setdefault(region.task, set()).add(path)
    for task in course.tasks:
        where = found.get(task.id, set())
        for path in sorted(set(task.files) - where):
            problems.append(f"task {task.id}: lists {path} but no region of it is marked there")
        for path in sorted(where - set(task.files)):
            problems.append(f"task {task.id}: has a region in {path}, not in its 'files'")
    return problems + giveaway_problems(root, course, files, regions) + \
        docs_problems(root, course)


def test_problems(course: Course, collected: Dict[str, List[str]]) -> Tuple[List[str], List[str]]:
    """(problems, warnings): every task has public and hidden tests; no test carries two
    tasks of one assignment. Missing hidden tests are a warning until [course]
    require_hidden_tests is true."""
    problems, warnings = [], []
    folder = course.settings.hidden_tests
    for task in course.tasks:
        mine = [n for n, markers in collected.items() if task.marker in markers]
        if not any(not course.is_hidden_test(n) for n in mine):
            problems.append(f"task {task.id}: no public test is marked {task.marker}")
        if not any(course.is_hidden_test(n) for n in mine):
            message = f"task {task.id}: no hidden test (in {folder}/) is marked {task.marker}"
            (problems if course.settings.require_hidden_tests else warnings).append(message)
    for nodeid, markers in collected.items():
        numbers = [m.split("_")[1] for m in markers]
        if len(numbers) != len(set(numbers)):
            problems.append(f"{nodeid}: marked {', '.join(markers)}; mark only the last task "
                            f"of an assignment that it needs")
    return problems, warnings


def run_checks(root: Path, course: Course, files: List[str], collected: Dict[str, List[str]],
               number: Optional[int], jobs: int, full: bool, keep: Optional[Path],
               log) -> List[str]:
    """Stage 3: the pytest runs, `jobs` at a time."""
    runs = plan(course, course.select(number), collected, full)
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch:
        where = Path(keep) if keep else Path(scratch)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            finished = list(pool.map(lambda r: execute(r, root, files, course, where), runs))
    problems, notes = [], []
    for run in finished:
        run_problems, run_notes = judge(run, course, full)
        problems += run_problems
        notes += run_notes
        tests = len(run.result.tests) if run.result else 0
        log(f"  {run.name:<56} {tests:>4} tests  "
            f"{'ok' if not run_problems else f'{len(run_problems)} problem(s)'}")
    for task_id in sorted({task_id for task_id, _ in notes}):
        counts = Counter(path for t, path in notes if t == task_id)
        where = ", ".join(f"{path} ({n})" for path, n in sorted(counts.items()))
        log(f"  outside the assignment's test files, task {task_id}'s stub stops "
            f"{sum(counts.values())} tests (they use its code): {where}")
    return problems


def check(root: Path, course: Course, number: Optional[int] = None, jobs: int = 2,
          full: bool = False, keep: Optional[Path] = None, log=print, leaks: bool = True,
          mutation: bool = True) -> List[str]:
    """Check every assignment (or just assignment `number`); return the problems found."""
    start = time.monotonic()
    root = Path(root).resolve()
    files = repo_files(root)
    for name in untracked_files(root):
        log(f"  note: {name} is not tracked by git, so no handout or bundle carries it")
    problems = structural_problems(root, course, files)
    if problems:
        return problems
    collection = run_pytest(root, hypothesis_options(root, ["tests"]) + ["--collect-only",
                                                                          "tests"])
    problems += [f"the solution: collection error in {name}: {text.strip()[-500:]}"
                 for name, text in collection.collect_errors.items()]
    found, warnings = test_problems(course, collection.collected)
    problems += found
    if len(warnings) > 3:  # one line, not one per task
        ids = [w.split(":")[0].removeprefix("task ") for w in warnings]
        warnings = [f"{len(ids)} tasks have no hidden test (in "
                    f"{course.settings.hidden_tests}/) yet: {', '.join(ids)}"]
    for warning in warnings:
        log(f"  WARNING {warning} (required once [course] require_hidden_tests = true)")
    if problems:
        return problems
    stage = time.monotonic()
    problems += run_checks(root, course, files, collection.collected, number, jobs, full, keep,
                           log)
    log(f"runs: {time.monotonic() - stage:.0f} s")
    if leaks:
        stage = time.monotonic()
        leak_problems, notes = judge_leaks(
            course, find_leaks(root, course, files, scan_regions(root, files), number), number)
        for note in notes:
            log(f"  {note}")
        problems += leak_problems
        log(f"leak check: {len(leak_problems)} leak problem(s), {len(notes)} known leak(s) in "
            f"{time.monotonic() - stage:.0f} s")
    if mutation:
        from .mutation_report import mutation_problems

        stage = time.monotonic()
        problems += mutation_problems(root, course, files, number, jobs, log)
        log(f"mutation: {time.monotonic() - stage:.0f} s")
    tasks = sum(len(a.tasks) for a in course.select(number))
    log(f"checked {tasks} tasks of {len(course.select(number))} assignment(s) in "
        f"{time.monotonic() - start:.0f} s")
    return problems
