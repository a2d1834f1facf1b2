"""The Gradescope autograder: `python -m course autograder --assignment N OUT.zip`.

The zip holds, at its root (Gradescope's format:
https://gradescope-autograders.readthedocs.io/en/latest/specs/), `setup.sh` (run once when
Gradescope builds the image: Python, a virtual environment, this repository installed with
its dev extra), `run_autograder` (run for every submission), `autograder.json` (the
assignment, the time limits, and the list of tests to grade, collected from the solution when
the bundle was written) and `repo/`: the instructor's tracked files, hidden tests included.

`run_autograder` calls `python -m course.autograder` which grades
`$AUTOGRADER_ROOT/submission` (default root /autograder, as on Gradescope; a test lays out
source/, submission/ and results/ in a temporary folder instead) and **always** writes
`results/results.json`: from the grades, or, if grading itself fails, a zero score saying
so; and should Python not even start, the shell script writes that zero.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import zipfile
from pathlib import Path
from typing import Optional

from .grade import collect_manifest, grade_submission
from .spec import Course, load_course
from .tree import repo_files

ROOT_ENV = "AUTOGRADER_ROOT"
SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
set -euo pipefail
apt-get install -y python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install "/autograder/source/repo[dev]"
"""
RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. It must leave results/results.json behind, so if
# the grader cannot even start, this script writes a zero that says so.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
[ -x "$PYTHON" ] || PYTHON=python3
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
cd "$ROOT/source/repo" || exit 0
timeout --kill-after=30 {limit} "$PYTHON" -m course.autograder --root "$ROOT"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  printf '{{"score": 0, "output": "The autograder stopped (exit %s) before grading: please tell your instructor.", "tests": []}}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def build_bundle(root: Path, course: Course, number: int, out: Path,
                 test_timeout: Optional[float] = None, budget: Optional[float] = None) -> str:
    """Write the autograder zip of assignment `number` to `out`; return a one-line summary."""
    root, out = Path(root), Path(out)
    assignment = course.assignment(number)
    settings = course.settings
    manifest = collect_manifest(root, course, list(assignment.tasks))
    config = {"assignment": number, "manifest": manifest,
              "test_timeout": test_timeout or settings.test_timeout,
              "budget": budget or settings.grading_budget}
    files = repo_files(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    limit = int(config["budget"] + 300)  # import checks and start-up on top of the tests
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (("setup.sh", SETUP_SH),
                           ("run_autograder", RUN_AUTOGRADER.format(limit=limit))):
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            info.external_attr = 0o100755 << 16  # executable, as Gradescope requires
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, text)
        bundle.writestr("autograder.json", json.dumps(config, indent=1))
        for name in files:
            bundle.write(root / name, f"repo/{name}")
    hidden = sum(course.is_hidden_test(n) for n in manifest)
    return (f"wrote {out}: assignment {number}, {len(files)} files, {len(manifest)} tests "
            f"({hidden} hidden); upload it as the autograder of a Gradescope assignment")


def failure_results(message: str) -> dict:
    return {"score": 0.0, "output": message, "output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": []}


def run(gradescope_root: Path) -> dict:
    """Grade the submission under `gradescope_root`; return the results.json content."""
    source = gradescope_root / "source"
    config = json.loads((source / "autograder.json").read_text(encoding="utf-8"))
    repo = source / "repo"
    course = load_course(repo / "course" / "assignments.toml")
    report = grade_submission(repo, course, gradescope_root / "submission",
                              config["assignment"], manifest=config["manifest"],
                              test_timeout=config["test_timeout"], budget=config["budget"])
    return report.gradescope(course)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.autograder")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_ENV,
                                                                         "/autograder")))
    root = parser.parse_args(argv).root
    results = root / "results" / "results.json"
    try:
        data = run(root)
    except BaseException as error:  # noqa: BLE001 - whatever happens, Gradescope gets a result
        traceback.print_exc()  # stdout goes to the instructor's view only
        data = failure_results(f"The autograder failed ({type(error).__name__}: {error}); your "
                               f"submission was not graded: please tell your instructor.")
    results.parent.mkdir(parents=True, exist_ok=True)
    partial = results.with_suffix(".json.partial")
    partial.write_text(json.dumps(data, indent=1), encoding="utf-8")
    partial.replace(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
