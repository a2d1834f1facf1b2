"""Handouts carry no answers: tracked files only, hidden tests and give-aways left out, the
toml reduced; grading trees keep everything. All in-process on the tiny course."""
import shutil

import pytest

from course.handout import blank_function, giveaway_problems, plan_tree
from course.markers import MarkerError, find_regions
from course.spec import parse_course
from course.spec_write import student_toml
from course.tree import repo_files, scan_regions
from course_helpers import TOML, course_of, dedent, make_repo

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def tiny_repo(tmp_path):
    return make_repo(tmp_path / "repo")


def run(source, call):
    namespace = {}
    exec(compile(source, "student.py", "exec"), namespace)
    return eval(call, namespace)


@needs_git
def test_only_tracked_files_are_shipped(tiny_repo, tmp_path):
    (tiny_repo / "ANSWERS.md").write_text("area = pi r^2\n")          # untracked
    (tiny_repo / "pkg" / "scratch.py").write_text("def area(r): ...\n")  # untracked
    files = repo_files(tiny_repo)
    assert "ANSWERS.md" not in files and "pkg/scratch.py" not in files
    assert "pkg/geometry.py" in files
    out = tmp_path / "hw"
    plan_tree(tiny_repo, course_of(tiny_repo), files, {"1.1"}, student=True).write(out)
    assert not (out / "ANSWERS.md").exists() and not (out / "pkg" / "scratch.py").exists()


def test_without_git_the_folder_is_walked_skipping_caches(tmp_path):
    root = make_repo(tmp_path / "repo", git=False)
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "geometry.cpython-311.pyc").write_bytes(b"\0")
    (root / ".venv" / "lib").mkdir(parents=True)
    (root / ".venv" / "lib" / "x.py").write_text("")
    files = repo_files(root)
    assert "pkg/geometry.py" in files and "tests/hidden/test_hidden_geometry.py" in files
    assert not any("__pycache__" in f or f.startswith(".venv") for f in files)


def test_a_handout_drops_hidden_tests_and_stubs_regions_and_giveaways(tiny_repo):
    course = course_of(tiny_repo)
    plan = plan_tree(tiny_repo, course, repo_files(tiny_repo), {"1.1", "1.2"}, student=True)
    assert "tests/hidden/test_hidden_geometry.py" not in plan.files
    reference = plan.read("pkg/reference.py")
    assert "math.pi * s" not in reference
    assert '"""The area written out again' in reference  # the docstring stays
    with pytest.raises(NotImplementedError, match="pkg/reference.py::area_reference is left "
                                                  "out of the handout: it would give task 1.1"):
        run(reference, "area_reference(1.0)")
    geometry = plan.read("pkg/geometry.py")
    assert "math.pi" not in geometry.split("def double")[0].split("import math")[1]
    assert [r.task for r in find_regions(geometry)] == ["1.1"]  # the markers stay


def test_the_handouts_toml_keeps_what_students_need_and_nothing_else(tiny_repo):
    toml = TOML.replace('todo = "return the volume of a cylinder"\n',
                        'todo = "return the volume of a cylinder"\n\n'
                        '[[assignment.task.equivalent_mutant]]\n'
                        'mutant = "volume: `h < 0` -> `h <= 0`"\nreason = "h = 0 raises or not"\n')
    course = parse_course(toml)
    text = student_toml(course)
    assert "area_reference" not in text and "h <= 0" not in text and "handout = true" in text
    again = parse_course(text)
    assert again.settings.handout and not again.task("1.2").equivalent_mutants
    assert [(t.id, t.points, t.hidden_points, t.files, t.todo) for t in again.tasks] == \
        [(t.id, t.points, t.hidden_points, t.files, t.todo) for t in course.tasks]
    assert again.settings.test_timeout == 3.0
    plan = plan_tree(tiny_repo, course_of(tiny_repo), repo_files(tiny_repo), {"1.1"},
                     student=True)
    assert parse_course(plan.read("course/assignments.toml")).settings.handout


def test_a_grading_tree_keeps_hidden_tests_and_references(tiny_repo):
    plan = plan_tree(tiny_repo, course_of(tiny_repo), repo_files(tiny_repo), {"1.1"})
    assert "tests/hidden/test_hidden_geometry.py" in plan.files
    assert plan.read("pkg/reference.py") == (tiny_repo / "pkg" / "reference.py").read_text()
    assert "NotImplementedError" in plan.read("pkg/geometry.py")
    assert "course/assignments.toml" not in plan.texts


def test_leave_out_and_hide_regions(tiny_repo):
    (tiny_repo / "pkg" / "helper.py").write_text(dedent("""
        def helper(r):
            # BEGIN HIDE 1.1
            return 3.14159 * r * r
            # END HIDE 1.1
        """))
    toml = TOML.replace('[assignment.task.handout]\n', '[assignment.task.handout]\n'
                        'leave_out = ["pkg/solids.py"]\nhide_in = ["pkg/helper.py"]\n')
    course = parse_course(toml)
    files = repo_files(tiny_repo) + ["pkg/helper.py"]
    handout = plan_tree(tiny_repo, course, files, {"1.1"}, student=True)
    assert "pkg/solids.py" not in handout.files
    with pytest.raises(NotImplementedError, match="left out of the handout: this code would "
                                                  "give task 1.1 away"):
        run(handout.read("pkg/helper.py"), "helper(1.0)")
    grading = plan_tree(tiny_repo, course, files, {"1.1"})
    assert run(grading.read("pkg/helper.py"), "helper(1.0)") == 3.14159
    assert giveaway_problems(tiny_repo, course, files, scan_regions(tiny_repo, files)) == []


def test_giveaway_entries_are_checked_against_the_repository(tiny_repo):
    toml = TOML.replace('blank = ["pkg/reference.py::area_reference"]',
                        'blank = ["pkg/reference.py::area_refrence", "pkg/gone.py::f"]\n'
                        'leave_out = ["pkg/geometry.py", "nowhere/"]\nhide_in = ["pkg/solids.py"]')
    files = repo_files(tiny_repo)
    problems = giveaway_problems(tiny_repo, parse_course(toml), files,
                                 scan_regions(tiny_repo, files))
    assert problems == [
        "task 1.1: [handout] leave_out pkg/geometry.py holds the task's own regions",
        "task 1.1: [handout] leave_out nowhere/: no such tracked file",
        "task 1.1: [handout] blank: pkg/reference.py: no function area_refrence to blank "
        "(course/assignments.toml [handout] blank)",
        "task 1.1: [handout] blank pkg/gone.py::f: no such tracked file",
        "task 1.1: [handout] hide_in lists pkg/solids.py but it has no HIDE 1.1 region"]


def test_blank_function_keeps_signature_decorators_and_docstring():
    source = dedent('''
        class Box:
            @staticmethod
            def volume(a, b,
                       c):
                """The volume."""
                # multiply
                return a * b * c

            def name(self):
                return "box"
        ''')
    stubbed = blank_function(source, "box.py", "Box.volume", "left out")
    assert "a * b * c" not in stubbed and '"""The volume."""' in stubbed
    with pytest.raises(NotImplementedError, match="left out"):
        run(stubbed, "Box.volume(1, 2, 3)")
    assert run(stubbed, "Box().name()") == "box"
    with pytest.raises(MarkerError, match="no function Box.area"):
        blank_function(source, "box.py", "Box.area", "x")
    with pytest.raises(MarkerError, match="has only a docstring"):
        blank_function('def f():\n    """Doc."""\n', "f.py", "f", "x")
