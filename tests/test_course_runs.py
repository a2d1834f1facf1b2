"""The grader and the checker end to end, on the tiny course of course_helpers.py.

Each test starts a few pytest subprocesses on the tiny repository (a second or two each), so
the real course's `python -m course check` can stay out of the unit tests (CI runs it).
"""
import pytest

from course.autograder_selftest import format_problems
from course.check import check
from course.grade import grade, grade_submission
from course.handout import plan_tree
from course.runner import RunResult
from course.tree import repo_files
from course_helpers import (CONFTEST, GEOMETRY, POINTS, SOLIDS, TESTS, TOML, course_of, dedent,
                            make_repo)


@pytest.fixture
def tiny_repo(tmp_path):
    return make_repo(tmp_path / "repo")


def student_tree(root, out, tasks):
    plan_tree(root, course_of(root), repo_files(root), set(tasks), student=True).write(out)
    return out


def quiet(*args, **kwargs):
    return check(*args, log=lambda line: None, mutation=False, **kwargs)


def test_grade_the_solution_splits_points_between_public_and_hidden_tests(tiny_repo):
    course = course_of(tiny_repo)
    solved = grade(tiny_repo, course)
    assert [(s.task.id, s.counts("public"), s.counts("hidden"), s.part_scores())
            for s in solved.scores] == [("1.1", "2/2", "1/1", {"public": 2.0, "hidden": 2.0}),
                                        ("1.2", "1/1", "-", {"public": 6.0})]
    assert solved.total == solved.max_total == 10.0
    results = solved.gradescope(course)
    assert format_problems(results) == []
    assert [(t["name"], t["max_score"], t["visibility"]) for t in results["tests"]] == [
        ("Task 1.1: Area (public tests)", 2.0, "visible"),
        ("Task 1.1: Area (hidden tests)", 2.0, "after_due_date"),
        ("Task 1.2: Volume", 6.0, "visible")]


def test_a_students_handout_grades_its_public_tests_and_says_why_tests_fail(tiny_repo,
                                                                            tmp_path):
    student = student_tree(tiny_repo, tmp_path / "student", {"1.1", "1.2"})
    assert not (student / "tests" / "hidden").exists()
    geometry = student / "pkg" / "geometry.py"
    geometry.write_text(geometry.read_text().replace(
        '    raise NotImplementedError("Task 1.1: return the area of a circle of radius r")',
        "    return 3.14 * r * r"))
    report = grade(student, course_of(student))
    assert [(s.task.id, s.counts("public"), s.score) for s in report.scores] == [
        ("1.1", "0/2", 0.0), ("1.2", "0/1", 0.0)]
    table = report.table()
    assert "Hidden tests are not in your copy: they carry 2 more points" in table
    assert "0.0 / 8" in table  # 2 public points of 1.1, 6 of 1.2
    assert "1.1 FAILED tests/test_geometry.py::test_area[1.0]: assert 3.14 == " in table
    assert ("1.2 FAILED tests/test_geometry.py::test_volume: NotImplementedError: Task 1.2: "
            "return the volume of a cylinder") in table


def test_grade_a_submission_with_the_instructors_tests(tiny_repo, tmp_path):
    submission = tmp_path / "submission"
    (submission / "pkg").mkdir(parents=True)
    (submission / "tests").mkdir()
    (submission / "pkg" / "geometry.py").write_text(GEOMETRY)
    (submission / "pkg" / "solids.py").write_text(SOLIDS.replace("total += area(r)",
                                                                 "total += area(r) + 1"))
    # a submitted test file that would pass anything is not used
    (submission / "tests" / "test_geometry.py").write_text(
        "import pytest\n\n\n@pytest.mark.task_1_2\ndef test_volume():\n    pass\n")
    report = grade_submission(tiny_repo, course_of(tiny_repo), submission)
    assert [(s.task.id, s.score) for s in report.scores] == [("1.1", 4.0), ("1.2", 0.0)]
    assert "tests/test_geometry.py::test_volume: assert" in report.scores[1].summary("public")


def test_a_hang_fails_its_task_and_the_others_are_graded(tiny_repo, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "geometry.py").write_text(GEOMETRY.replace("    squared = r * r\n",
                                                             "    while True:\n        pass\n"))
    (submission / "solids.py").write_text(SOLIDS)  # a flat upload
    report = grade_submission(tiny_repo, course_of(tiny_repo), submission)
    area, volume = report.scores
    # the hidden test runs first and times out; the task's other tests then fail at once
    assert area.score == 0 and "Timeout (>3.0s)" in area.summary("hidden")
    assert "not run: test_area_of_three timed out" in area.summary("public")
    # volume's own test calls area: it hangs as well, and fails on its own timeout
    assert volume.score == 0 and "Timeout" in volume.summary("public")
    assert not report.run.stopped


def test_check_names_each_badly_marked_test_and_only_those(tmp_path):
    bad = dedent("""

        @pytest.mark.task_1_2
        def test_passes_on_the_stub():
            assert math.pi > 3


        def test_unmarked_but_needs_area():
            assert area(1.0) > 3


        @pytest.mark.task_1_1
        def test_marked_area_but_needs_volume():
            assert volume(1.0, 1.0) > 3


        def test_uses_the_reference():
            from pkg.reference import area_reference
            assert area_reference(1.0) > 3
        """)
    root = make_repo(tmp_path / "repo", **{"tests__test_geometry.py": TESTS + "\n" + bad})
    problems = quiet(root, course_of(root), jobs=2)
    node = "tests/test_geometry.py::"
    expected = [
        f"task 1.2: {node}test_passes_on_the_stub passes on the stub",
        f"{node}test_unmarked_but_needs_area fails in assignment 1, as handed out; "
        f"mark it task_1_1",
        f"task 1.1: {node}test_marked_area_but_needs_volume fails on the stub, but not with "
        f"its NotImplementedError (it needs task 1.2: mark it task_1_2)",
        f"task 1.1: {node}test_marked_area_but_needs_volume fails in assignment 1, tasks "
        f"before 1.2 done (it needs task 1.2)",
        # a public test that needs what the handout blanks fails there for good
        f"{node}test_uses_the_reference fails in assignment 1, as handed out: "
        f"NotImplementedError: pkg/reference.py::area_reference is left out of the handout: it "
        f"would give task 1.1 away",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert len(problems) == len(expected), problems


def test_check_passes_the_tiny_course_and_warns_of_missing_hidden_tests(tiny_repo):
    lines = []
    assert check(tiny_repo, course_of(tiny_repo), log=lines.append, mutation=False) == []
    assert ("  WARNING task 1.2: no hidden test (in tests/hidden/) is marked task_1_2 "
            "(required once [course] require_hidden_tests = true)") in lines
    assert any(line.startswith("  assignment 1, hidden tests on the stubs") and
               line.endswith("ok") for line in lines), lines
    strict = (tiny_repo / "course" / "assignments.toml").read_text().replace(
        "[course]\n", "[course]\nrequire_hidden_tests = true\n")
    (tiny_repo / "course" / "assignments.toml").write_text(strict)
    assert quiet(tiny_repo, course_of(tiny_repo)) == [
        "task 1.2: no hidden test (in tests/hidden/) is marked task_1_2"]

def two_assignment_repo(root, extra_test=""):
    """The tiny course with its volume task as assignment 2's task 2.1 (it uses area)."""
    toml = TOML.replace('[[assignment.task]]\nid = "1.2"',
                        '[[assignment]]\nnumber = 2\ntitle = "Solids"\ndoc = "docs/solids.md"\n\n'
                        '[[assignment.task]]\nid = "2.1"')
    tests = TESTS.replace("task_1_2", "task_2_1") + extra_test
    conftest = CONFTEST.replace('"task_1_2"', '"task_1_2", "task_2_1"')
    return make_repo(root, toml, **{"pkg__solids.py": SOLIDS.replace("1.2", "2.1"),
                                    "tests__test_geometry.py": tests,
                                    "tests__conftest.py": conftest,
                                    "docs__solids.md": POINTS.replace("Circles", "Solids")})


def test_check_blanks_later_assignments_so_the_course_can_be_worked_in_order(tmp_path):
    good = two_assignment_repo(tmp_path / "good")  # assignment 2's test uses assignment 1's
    assert quiet(good, course_of(good), jobs=2) == []
    bad = two_assignment_repo(tmp_path / "bad", dedent("""


        @pytest.mark.task_1_1
        def test_area_through_the_volume_of_height_one():
            assert volume(1.0, 1.0) == pytest.approx(math.pi)
        """))
    node = "tests/test_geometry.py::test_area_through_the_volume_of_height_one"
    assert quiet(bad, course_of(bad), jobs=2) == [
        f"task 1.1: {node} fails on the stub, but not with its NotImplementedError (it needs "
        f"task 2.1 of a later assignment: test with an independent reference instead, or mark "
        f"it task_2_1): NotImplementedError: Task 2.1: return the volume of a cylinder",
        # and in assignment 2's handout, where it sits in the same test file
        f"{node} fails in assignment 2, as handed out; mark it task_2_1: NotImplementedError: "
        f"Task 2.1: return the volume of a cylinder"]


def test_check_full_lists_tests_elsewhere_that_use_the_blanked_code(tmp_path):
    other = "from pkg.geometry import area\n\n\ndef test_uses_area():\n    assert area(1.0) > 3\n"
    root = make_repo(tmp_path / "repo", **{"tests__test_other.py": other})
    lines = []
    assert check(root, course_of(root), full=True, log=lines.append, mutation=False,
                 leaks=False) == []
    assert ("  outside the assignment's test files, task 1.1's stub stops 1 tests (they use its "
            "code): tests/test_other.py (1)") in lines


def test_check_reports_markers_docs_and_tasks_without_tests(tiny_repo):
    geometry = tiny_repo / "pkg" / "geometry.py"
    geometry.write_text(GEOMETRY.replace("    # END TASK 1.1\n", ""))
    assert quiet(tiny_repo, course_of(tiny_repo)) == [
        "pkg/geometry.py:5: BEGIN TASK 1.1 is never closed by END TASK 1.1"]
    geometry.write_text(GEOMETRY)
    tests = tiny_repo / "tests" / "test_geometry.py"
    tests.write_text(TESTS.replace("@pytest.mark.task_1_2\n", ""))
    assert quiet(tiny_repo, course_of(tiny_repo)) == [
        "task 1.2: no public test is marked task_1_2"]
    tests.write_text(TESTS)
    toml = tiny_repo / "course" / "assignments.toml"
    toml.write_text(toml.read_text().replace("points = 6", "points = 8"))
    assert quiet(tiny_repo, course_of(tiny_repo)) == [
        "docs/circles.md: its points table is out of date: run `python -m course docs`",
        "docs/assignments/README.md: its points table is out of date: run `python -m course "
        "docs`"]


@pytest.mark.parametrize("installed", [True, False])
def test_a_run_stopped_by_its_budget_says_when_pytest_timeout_is_missing(monkeypatch, installed):
    import course.grade
    monkeypatch.setattr(course.grade, "have_module", lambda name: installed)
    run = RunResult(None, {}, {}, {}, stopped="the time budget of 5 s ran out")
    notes = course.grade._notes(run, {})
    assert notes[0] == ("The test run stopped early: the time budget of 5 s ran out; the tests "
                        "it did not reach count as failed.")
    assert any("pytest-timeout is not installed" in note for note in notes) is not installed
