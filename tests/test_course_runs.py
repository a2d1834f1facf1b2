"""The grader and the checker end to end, on a two-task course in a tiny repository.

Each test starts a few pytest subprocesses on the tiny repository (a second or two each), so
the real course's `python -m course check` can stay out of the unit tests (CI runs it).
"""
import json
import textwrap

import pytest

from course.check import check
from course.grade import grade, grade_submission
from course.spec import parse_course
from course.tree import repo_files, repo_root, write_tree

COURSE = parse_course("""
[[assignment]]
number = 1
title = "Circles"
doc = "docs/circles.md"

[[assignment.task]]
id = "1.1"
title = "Area"
points = 4
files = ["pkg/geometry.py"]
todo = "return the area of a circle of radius r"

[[assignment.task]]
id = "1.2"
title = "Volume"
points = 6
files = ["pkg/geometry.py"]
todo = "return the volume of a cylinder"
""")

GEOMETRY = """\
import math


def area(r):
    # BEGIN TASK 1.1
    return math.pi * r * r
    # END TASK 1.1


def volume(r, h):
    # BEGIN TASK 1.2
    return area(r) * h
    # END TASK 1.2


def double(x):
    return 2 * x
"""

TESTS = """\
import math

import pytest

from pkg.geometry import area, double, volume


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

CONFTEST = """\
def pytest_configure(config):
    for name in ("task_1_1", "task_1_2"):
        config.addinivalue_line("markers", name + ": a course task")
"""


@pytest.fixture
def tiny_repo(tmp_path, monkeypatch):
    """A repository with one module holding two task regions, and its tests."""
    root = tmp_path / "repo"
    files = {"pkg/__init__.py": "", "pkg/geometry.py": GEOMETRY, "tests/conftest.py": CONFTEST,
             "tests/test_geometry.py": TESTS,
             "pytest.ini": "[pytest]\naddopts = --strict-markers\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    # the pytest subprocesses import the course plugin from this repository
    monkeypatch.setenv("PYTHONPATH", str(repo_root()))
    return root


def student_tree(root, out, tasks):
    write_tree(root, out, repo_files(root), COURSE, lambda task: task in tasks)
    return out


VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = (int, float)
# Gradescope's results.json (gradescope-autograders.readthedocs.io/en/latest/specs/): every
# key is optional except that a score is needed at the top or on every test
TOP = {"score": NUMBER, "execution_time": NUMBER, "output": str, "output_format": str,
       "visibility": str, "stdout_visibility": str, "extra_data": dict, "tests": list,
       "leaderboard": list}
TEST = {"score": NUMBER, "max_score": NUMBER, "status": str, "name": str, "name_format": str,
        "number": str, "output": str, "output_format": str, "tags": list, "visibility": str,
        "extra_data": dict}


def assert_gradescope_format(data):
    """Raise AssertionError where `data` departs from Gradescope's results format."""
    json.dumps(data, allow_nan=False)  # plain JSON: no NaN, only JSON types
    assert set(data) <= set(TOP), set(data) - set(TOP)
    for key, kind in TOP.items():
        assert key not in data or isinstance(data[key], kind), key
    for key in ("visibility", "stdout_visibility"):
        assert data.get(key, "visible") in VISIBILITY
    assert data.get("output_format", "text") in FORMATS
    assert "score" in data or all("score" in test for test in data["tests"])
    for test in data["tests"]:
        assert set(test) <= set(TEST), set(test) - set(TEST)
        for key, kind in TEST.items():
            assert key not in test or isinstance(test[key], kind), (test, key)
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test.get("visibility", "visible") in VISIBILITY
        assert test.get("output_format", "text") in FORMATS
        # what our grader promises on top: a name and both scores, within range
        assert {"name", "score", "max_score", "output"} <= set(test)
        assert 0 <= test["score"] <= test["max_score"]
    if "score" in data and all("score" in test for test in data["tests"]):
        assert data["score"] == pytest.approx(sum(test["score"] for test in data["tests"]))


def test_grade_the_solution_and_a_student_version(tiny_repo, tmp_path):
    solved = grade(tiny_repo, COURSE)
    assert [(s.task.id, s.passed, len(s.counted), s.score) for s in solved.scores] == [
        ("1.1", 2, 2, 4.0), ("1.2", 1, 1, 6.0)]
    assert solved.total == solved.max_total == 10.0
    assert "1.1   Area" in solved.table() and "10.0 / 10" in solved.table()

    half = grade(student_tree(tiny_repo, tmp_path / "half", {"1.2"}), COURSE)
    results = half.gradescope()
    assert_gradescope_format(results)
    area, volume = results["tests"]
    assert (area["name"], area["score"], area["max_score"], area["status"]) == \
        ("Task 1.1: Area", 4.0, 4.0, "passed")
    assert (volume["score"], volume["status"]) == (0.0, "failed")
    assert "0 of 1 tests passed" in volume["output"]
    assert ("NotImplementedError: Task 1.2: return the volume of a cylinder"
            in volume["output"])
    assert results["score"] == 4.0


def test_grade_counts_the_fraction_of_a_task_that_passes(tiny_repo, tmp_path):
    # a student area() right for r = 1 only: half of task 1.1's tests pass
    geometry = tiny_repo / "pkg" / "geometry.py"
    geometry.write_text(GEOMETRY.replace("return math.pi * r * r", "return math.pi * r"))
    report = grade(tiny_repo, COURSE, number=1)
    assert_gradescope_format(report.gradescope())
    area = report.scores[0]
    assert (area.passed, len(area.counted), area.score) == (1, 2, 2.0)
    assert "test_area[2.0]" in area.summary()
    assert report.scores[1].score == 6.0  # its test, at r = 1, cannot see the mistake


def test_grade_a_submission_with_the_instructors_tests(tiny_repo, tmp_path):
    submission = tmp_path / "submission"
    (submission / "pkg").mkdir(parents=True)
    (submission / "tests").mkdir()
    (submission / "pkg" / "geometry.py").write_text(
        GEOMETRY.replace("return area(r) * h", "return area(r) + h"))
    # a submitted test file that would pass anything is not used
    (submission / "tests" / "test_geometry.py").write_text(
        "import pytest\n\n\n@pytest.mark.task_1_2\ndef test_volume():\n    pass\n")
    report = grade_submission(tiny_repo, COURSE, submission)
    assert [(s.task.id, s.score) for s in report.scores] == [("1.1", 4.0), ("1.2", 0.0)]
    assert "tests/test_geometry.py::test_volume: assert" in report.scores[1].summary()


def test_check_names_each_badly_marked_test_and_only_those(tiny_repo):
    bad = textwrap.dedent("""

        @pytest.mark.task_1_2
        def test_passes_on_the_stub():
            assert math.pi > 3


        def test_unmarked_but_needs_area():
            assert area(1.0) > 3


        @pytest.mark.task_1_1
        def test_marked_area_but_needs_volume():
            assert volume(1.0, 1.0) > 3
        """)
    (tiny_repo / "tests" / "test_geometry.py").write_text(TESTS + bad)
    problems = check(tiny_repo, COURSE, jobs=2, log=lambda line: None, mutation=False)
    node = "tests/test_geometry.py::"
    expected = [
        f"task 1.2: {node}test_passes_on_the_stub passes on the stub",
        f"{node}test_unmarked_but_needs_area fails in assignment 1, as handed out; "
        f"mark it task_1_1",
        f"task 1.1: {node}test_marked_area_but_needs_volume fails on the stub, but not with "
        f"its NotImplementedError (it needs task 1.2: mark it task_1_2)",
        f"task 1.1: {node}test_marked_area_but_needs_volume fails in assignment 1, tasks "
        f"before 1.2 done (it needs task 1.2)",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert len(problems) == len(expected)


def test_check_full_lists_tests_elsewhere_that_use_the_blanked_code(tiny_repo):
    (tiny_repo / "tests" / "test_other.py").write_text(
        "from pkg.geometry import area\n\n\ndef test_uses_area():\n    assert area(1.0) > 3\n")
    lines = []
    assert check(tiny_repo, COURSE, full=True, log=lines.append, mutation=False) == []
    assert ("  outside the assignment's test files, task 1.1's stub stops 1 tests (they use its "
            "code): tests/test_other.py (1)") in lines


def test_check_reports_markers_and_tasks_without_tests(tiny_repo):
    geometry = tiny_repo / "pkg" / "geometry.py"
    geometry.write_text(GEOMETRY.replace("    # END TASK 1.2\n", ""))
    assert check(tiny_repo, COURSE, log=lambda line: None, mutation=False) == [
        "pkg/geometry.py:11: BEGIN TASK 1.2 is never closed by END TASK 1.2"]
    geometry.write_text(GEOMETRY)
    tests = tiny_repo / "tests" / "test_geometry.py"
    tests.write_text(TESTS.replace("@pytest.mark.task_1_2\n", ""))
    assert check(tiny_repo, COURSE, log=lambda line: None, mutation=False) == [
        "task 1.2: no public test is marked task_1_2"]


def test_student_version_of_the_tiny_repo_raises_the_task_messages(tiny_repo, tmp_path):
    out = student_tree(tiny_repo, tmp_path / "student", {"1.1", "1.2"})
    namespace = {}
    exec((out / "pkg" / "geometry.py").read_text(), namespace)
    with pytest.raises(NotImplementedError, match="Task 1.1: return the area of a circle"):
        namespace["area"](1.0)
    with pytest.raises(NotImplementedError, match="Task 1.2: return the volume of a cylinder"):
        namespace["volume"](1.0, 1.0)
    assert namespace["double"](2) == 4
    assert (out / "tests" / "test_geometry.py").read_text() == TESTS
