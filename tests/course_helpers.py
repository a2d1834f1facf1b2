"""A tiny course repository for the course tools' tests: two tasks in two files, public and
hidden tests, a reference function that gives task 1.1 away, and this repository's course/
package, so that graders, checkers and the autograder bundle run on it as on the real one
(in a second or two per pytest run instead of minutes)."""
import shutil
import subprocess
import textwrap
from pathlib import Path

from course.docs import write_docs
from course.spec import parse_course
from course.tree import repo_root

TOML = """\
[course]
test_timeout = 3
grading_budget = 600  # ample: a hang is caught by test_timeout; a loaded machine is slow
mutant_timeout = 1

[[assignment]]
number = 1
title = "Circles"
doc = "docs/circles.md"

[[assignment.task]]
id = "1.1"
title = "Area"
points = 4
hidden_points = 2
files = ["pkg/geometry.py"]
todo = "return the area of a circle of radius r"

[assignment.task.handout]
blank = ["pkg/reference.py::area_reference"]

[[assignment.task]]
id = "1.2"
title = "Volume"
points = 6
hidden_points = 0
files = ["pkg/solids.py"]
todo = "return the volume of a cylinder"
"""

GEOMETRY = """\
import math


def area(r):
    # BEGIN TASK 1.1
    squared = r * r
    area_of_circle = math.pi * squared
    return area_of_circle
    # END TASK 1.1


def double(x):
    return 2 * x
"""

SOLIDS = """\
from .geometry import area


def volume(r, h):
    # BEGIN TASK 1.2
    if h < 0:
        raise ValueError("negative height")
    layers, total = h, 0.0
    while layers > 0:
        total += area(r)
        layers -= 1
    return total
    # END TASK 1.2
"""

REFERENCE = """\
import math


def area_reference(r):
    \"\"\"The area written out again, for the hidden tests: it would give task 1.1 away.\"\"\"
    s = r * r   # renamed, commented: still the same tokens
    a = math.pi * s
    return a
"""

TESTS = """\
import math

import pytest

from pkg.geometry import area, double
from pkg.solids import volume


@pytest.mark.task_1_1
@pytest.mark.parametrize("r", [1.0, 2.0])
def test_area(r):
    assert area(r) == pytest.approx(math.pi * r * r)


@pytest.mark.task_1_2
def test_volume():
    assert volume(1.0, 2.0) == pytest.approx(2 * math.pi)


def test_double():
    assert double(3) == 6
"""

HIDDEN = """\
import pytest

from pkg.geometry import area
from pkg.reference import area_reference


@pytest.mark.task_1_1
def test_area_of_three():
    assert area(3.0) == pytest.approx(area_reference(3.0))
"""

CONFTEST = """\
def pytest_configure(config):
    for name in ("task_1_1", "task_1_2"):
        config.addinivalue_line("markers", name + ": a course task")
"""

POINTS = ("# Circles\n\n<!-- BEGIN POINTS (written from course/assignments.toml by "
          "`python -m course docs`) -->\n-\n<!-- END POINTS -->\n")
INDEX = ("# Assignments\n\n<!-- BEGIN ASSIGNMENTS (written from course/assignments.toml by "
         "`python -m course docs`) -->\n-\n<!-- END ASSIGNMENTS -->\n")

FILES = {"pkg/__init__.py": "", "pkg/geometry.py": GEOMETRY, "pkg/solids.py": SOLIDS,
         "pkg/reference.py": REFERENCE, "tests/conftest.py": CONFTEST,
         "tests/test_geometry.py": TESTS, "tests/hidden/test_hidden_geometry.py": HIDDEN,
         "pytest.ini": "[pytest]\naddopts = --strict-markers\n", "docs/circles.md": POINTS,
         "docs/assignments/README.md": INDEX, "course/assignments.toml": TOML}


def make_repo(root: Path, toml: str = TOML, git: bool = True, **overrides) -> Path:
    """Write the tiny repository to `root` (files replaced by `overrides`, by path with '/'
    written as '__'); with `git`, a git repository with everything committed."""
    files = dict(FILES, **{k.replace("__", "/"): v for k, v in overrides.items()})
    files["course/assignments.toml"] = toml
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for source in (repo_root() / "course").glob("*.py"):
        shutil.copyfile(source, root / "course" / source.name)
    write_docs(root, parse_course(toml))
    if git and shutil.which("git"):
        for command in (["init", "-q"], ["add", "-A"],
                        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "x"]):
            subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
    return root


def course_of(root: Path):
    return parse_course((root / "course" / "assignments.toml").read_text())


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
