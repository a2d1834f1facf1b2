"""Command line: `python -m course {student,grade,check,mutate,autograder,selftest,docs}`
(see course/__init__.py)."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import List, Optional

from .markers import MarkerError
from .spec import SpecError, load_course
from .tree import repo_root


def _student(args: argparse.Namespace) -> int:
    from .student import make_student_version

    course = load_course()
    changed = make_student_version(repo_root(), args.out_dir, course, args.assignment)
    which = "every assignment" if args.assignment is None else f"assignment {args.assignment}"
    print(f"wrote {args.out_dir}: {which}, {len(changed)} files with blanked regions; "
          f"see its README.md")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from .grade import grade, grade_submission

    course = load_course()
    if args.submission is None:
        report = grade(repo_root(), course, args.assignment, workers=args.workers)
    else:
        if not args.submission.is_dir():
            raise LookupError(f"course: the submission {args.submission} is not a folder")
        report = grade_submission(repo_root(), course, args.submission, args.assignment,
                                  workers=args.workers)
    print(report.table())
    if args.json:
        args.json.write_text(json.dumps(report.gradescope(course), indent=2), encoding="utf-8")
        print(f"wrote {args.json}")
    # a score that is not the whole story (a file missing or broken, tests that did not run)
    # is not a silent success
    return 1 if report.problems or report.run.stopped or report.run.collect_errors else 0


def _check(args: argparse.Namespace) -> int:
    from .check import check

    problems = check(repo_root(), load_course(), args.assignment, jobs=args.jobs, full=args.full,
                     keep=args.keep, leaks=not args.no_leaks, mutation=not args.no_mutation)
    for problem in problems:
        print(f"PROBLEM {problem}")
    print("course check: " + (f"{len(problems)} problem(s)" if problems else "every task OK"))
    return 1 if problems else 0


def _mutate(args: argparse.Namespace) -> int:
    from .mutation_report import mutation_problems
    from .tree import repo_files

    root = repo_root()
    problems = mutation_problems(root, load_course(), repo_files(root), args.assignment,
                                 args.jobs, task_ids=args.task)
    for problem in problems:
        print(f"PROBLEM {problem}")
    return 1 if problems else 0


def _autograder(args: argparse.Namespace) -> int:
    from .autograder import build_bundle

    print(build_bundle(repo_root(), load_course(), args.assignment, args.out))
    return 0


def _selftest(args: argparse.Namespace) -> int:
    from .autograder_selftest import selftest

    problems = selftest(repo_root(), load_course(), args.assignment, args.test_timeout,
                        args.budget)
    for problem in problems:
        print(f"PROBLEM {problem}")
    print("autograder selftest: " + (f"{len(problems)} problem(s)" if problems else "ok"))
    return 1 if problems else 0


def _docs(args: argparse.Namespace) -> int:
    from .docs import write_docs

    changed = write_docs(repo_root(), load_course())
    print("rewrote " + ", ".join(changed) if changed else "the pages were up to date")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    student = commands.add_parser("student", help="write a student version of the repository")
    student.add_argument("out_dir", type=Path)
    student.add_argument("--assignment", type=int, default=None,
                         help="blank only this assignment (default: every assignment)")
    student.set_defaults(handler=_student)
    grade = commands.add_parser("grade", help="run the graded tests, print a score per task")
    grade.add_argument("--assignment", type=int, default=None)
    grade.add_argument("--json", type=Path, default=None,
                       help="also write Gradescope's results.json format here")
    grade.add_argument("--submission", type=Path, default=None,
                       help="a student's repository (or just its task files): grade its task "
                            "files with this repository's tests")
    grade.add_argument("--workers", type=int, default=0,
                       help="pytest-xdist workers (default 0: one process)")
    grade.set_defaults(handler=_grade)
    check = commands.add_parser("check", help="prove each task blanks, fails and passes")
    check.add_argument("--assignment", type=int, default=None,
                       help="check only this assignment (default: every assignment)")
    check.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="pytest runs at a time (default: one per core)")
    check.add_argument("--full", action="store_true",
                       help="also run the whole suite on each handed-out version")
    check.add_argument("--keep", type=Path, default=None,
                       help="write the generated trees here instead of a temporary folder")
    check.add_argument("--no-leaks", action="store_true", help="skip the leak check")
    check.add_argument("--no-mutation", action="store_true", help="skip mutation testing")
    check.set_defaults(handler=_check)
    mutate = commands.add_parser("mutate", help="mutation testing alone: scores, survivors")
    mutate.add_argument("--assignment", type=int, default=None)
    mutate.add_argument("--task", action="append", default=None,
                        help="only this task (repeatable), e.g. --task 1.2")
    mutate.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    mutate.set_defaults(handler=_mutate)
    bundle = commands.add_parser("autograder", help="write a Gradescope autograder zip")
    bundle.add_argument("--assignment", type=int, required=True)
    bundle.add_argument("out", type=Path, help="the .zip to write")
    bundle.set_defaults(handler=_autograder)
    selftest = commands.add_parser("selftest", help="run the bundle's run_autograder on a "
                                   "correct, wrong, flat, empty, broken and hanging submission")
    selftest.add_argument("--assignment", type=int, required=True)
    selftest.add_argument("--test-timeout", type=float, default=20.0,
                          help="seconds per test in the bundle (the hanging case waits this)")
    selftest.add_argument("--budget", type=float, default=240.0,
                          help="seconds for one submission's tests")
    selftest.set_defaults(handler=_selftest)
    docs = commands.add_parser("docs", help="rewrite the points tables of docs/assignments/")
    docs.set_defaults(handler=_docs)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (SpecError, MarkerError, LookupError, FileExistsError) as error:
        print(f"course {args.command}: {str(error).removeprefix('course: ')}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
