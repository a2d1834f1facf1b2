"""The course tools: marker parsing, stub generation, the toml, markers, and the grader's
Gradescope output. The end-to-end grader and checker runs are in test_course_runs.py."""
import re

import pytest

from course import load_course, marker_name
from course.__main__ import main
from course.markers import MarkerError, blank_regions, find_regions, stub_line
from course.spec import SpecError, parse_course
from course.tree import repo_root


def begin(task, indent="    "):
    return f"{indent}# BEGIN TASK {task}\n"


def end(task, indent="    "):
    return f"{indent}# END TASK {task}\n"


SAMPLE = (
    "import math\n\n\n"
    "def area(r):\n"
    '    """Area of a circle."""\n'
    + begin("1.1")
    + "    squared = r * r\n"
    "    return math.pi * squared\n"
    + end("1.1")
    + "\n\nclass Box:\n"
    "    def volume(self, a, b, c):\n"
    + begin("1.2", " " * 8)
    + "        if a < 0:\n"
    "            raise ValueError('negative')\n"
    "\n"
    "        return a * b * c\n"
    + end("1.2", " " * 8)
    + "\n    def name(self):\n"
    "        return 'box'\n"
)
MESSAGES = {"1.1": "Task 1.1: return the area", "1.2": "Task 1.2: multiply the three sides"}


def test_regions_are_found_with_their_lines_and_indentation():
    regions = find_regions(SAMPLE, "sample.py")
    assert [(r.task, r.begin, r.end, r.indent) for r in regions] == [
        ("1.1", 5, 8, "    "), ("1.2", 13, 18, " " * 8)]


@pytest.mark.parametrize("text, message", [
    ("def f():\n" + begin("1.1") + "    return 1\n",
     "sample.py:2: BEGIN TASK 1.1 is never closed by END TASK 1.1"),
    ("def f():\n    return 1\n" + end("1.1"), "sample.py:3: END TASK 1.1 has no BEGIN TASK 1.1"),
    ("def f():\n" + begin("1.1") + begin("1.2") + "    return 1\n" + end("1.2") + end("1.1"),
     "sample.py:3: BEGIN TASK 1.2 is nested inside BEGIN TASK 1.1 of line 2"),
    ("def f():\n" + begin("1.1") + "    return 1\n" + end("1.2"),
     "sample.py:4: END TASK 1.2 closes BEGIN TASK 1.1 of line 2"),
    ("def f():\n" + begin("1.1") + "    return 1\n" + end("1.1", "  "),
     "sample.py:4: END TASK 1.1 is not indented like its BEGIN on line 2"),
    ("def f():\n" + begin("1.1") + "\n" + end("1.1") + "    return 1\n",
     "sample.py:2: the region of task 1.1 holds no code"),
    ("def f():\n" + begin("1.1", " " * 8) + "    return 1\n" + end("1.1", " " * 8),
     "sample.py:3: a line of task 1.1's region is indented less than its BEGIN marker"),
    ("def f():\n    #BEGIN TASK 1.1\n    return 1\n", "sample.py:2: malformed task marker"),
    ("def f():\n    # BEGIN TASK 1\n    return 1\n", "sample.py:2: malformed task marker"),
    ("def f():\n    # end task 1.1\n    return 1\n", "sample.py:2: malformed task marker"),
    ("def f():\n    return 1  # BEGIN TASK 1.1\n",
     "sample.py:2: a task marker must stand on a line of its own"),
    ('def f():\n    """never closed\n', "sample.py: cannot read it as Python"),
])
def test_marker_errors_name_the_file_line_and_task(text, message):
    with pytest.raises(MarkerError, match=re.escape(message)):
        find_regions(text, "sample.py")


def test_hide_regions_are_found_and_checked_like_task_regions():
    text = ("def f():\n" + begin("1.1").replace("TASK", "HIDE") + "    return 1\n" +
            end("1.1").replace("TASK", "HIDE"))
    [region] = find_regions(text, "sample.py")
    assert (region.task, region.hide, region.label) == ("1.1", True, "HIDE 1.1")
    with pytest.raises(MarkerError, match="END TASK 1.1 closes BEGIN HIDE 1.1 of line 2"):
        find_regions(text.replace("# END HIDE", "# END TASK"), "sample.py")
    stub = blank_regions(text, lambda r: r.hide, MESSAGES)
    with pytest.raises(NotImplementedError, match="this code would give task 1.1 away"):
        run(stub, "f()")


def test_markers_in_strings_and_prose_are_not_markers():
    text = 'HELP = "write code between # BEGIN TASK 1.1 and # END TASK 1.1"\n'
    text += 'SAMPLE = """\ndef f():\n' + begin("1.1") + "    return 1\n" + end("1.1") + '"""\n'
    assert find_regions(text) == []
    assert blank_regions(text, lambda region: True, MESSAGES) == text


def run(source, call):
    namespace = {}
    exec(compile(source, "student.py", "exec"), namespace)
    return eval(call, namespace)


def test_stub_replaces_only_the_chosen_regions_and_keeps_the_rest():
    student = blank_regions(SAMPLE, lambda region: region.task == "1.1", MESSAGES, "sample.py")
    expected = SAMPLE.replace("    squared = r * r\n    return math.pi * squared\n",
                              '    raise NotImplementedError("Task 1.1: return the area")\n')
    assert student == expected
    with pytest.raises(NotImplementedError, match=r"^Task 1\.1: return the area$"):
        run(student, "area(2.0)")
    assert run(student, "Box().volume(2, 3, 4)") == 24      # task 1.2 was not chosen
    assert run(student, "Box().name()") == "box"
    assert [r.task for r in find_regions(student)] == ["1.1", "1.2"]  # markers stay


def test_stub_in_a_method_has_the_method_indentation():
    student = blank_regions(SAMPLE, lambda region: True, MESSAGES)
    assert '        raise NotImplementedError("Task 1.2: multiply the three sides")\n' in student
    with pytest.raises(NotImplementedError, match="Task 1.2: multiply the three sides"):
        run(student, "Box().volume(2, 3, 4)")
    assert run(student, "Box().name()") == "box"


def test_a_long_stub_message_is_split_over_lines_and_stays_the_same_message():
    message = "Task 3.2: " + " ".join(["call the op's backward, then add each gradient"] * 4)
    line = stub_line(" " * 12, message)
    assert all(len(part) <= 99 for part in line.splitlines())
    with pytest.raises(NotImplementedError) as error:
        run("def f():\n" + line.replace(" " * 12, "    ", 1) + "\n", "f()")
    assert str(error.value) == message


def test_quotes_and_backslashes_in_a_message_survive():
    message = 'Task 1.1: return "a" \\ b'
    with pytest.raises(NotImplementedError) as error:
        run("def f():\n" + stub_line("    ", message) + "\n", "f()")
    assert str(error.value) == message


ASSIGNMENT = """
[[assignment]]
number = 1
title = "First"
doc = "docs/one.md"
"""
TASK = """
[[assignment.task]]
id = "1.1"
title = "Area"
points = 5
files = ["pkg/geometry.py"]
todo = "return the area"
"""
TOML = ASSIGNMENT + TASK


def test_parse_a_course():
    course = parse_course(TOML)
    task = course.task("1.1")
    assert (task.marker, task.points, task.files, task.assignment) == \
        ("task_1_1", 5.0, ("pkg/geometry.py",), 1)
    assert task.stub_message == "Task 1.1: return the area"
    assert course.assignment(1).points == 5.0
    with pytest.raises(LookupError, match="no assignment 2"):
        course.assignment(2)


@pytest.mark.parametrize("change, message", [
    (('id = "1.1"', 'id = "2.1"'), "task 2.1: the id must be '1.M' inside assignment 1"),
    (('id = "1.1"', 'id = "1"'), "task 1: the id must be '1.M'"),
    (('points = 5', 'points = 0'), "task 1.1: points must be positive"),
    (('todo = "return the area"\n', ''), "task 1.1: missing key 'todo'"),
    (('files = ["pkg/geometry.py"]', 'files = []'), "task 1.1: 'files' must list"),
    (('title = "Area"', 'title = 3'), "task 1.1: 'title' must be str"),
    (('number = 1', 'number = 1\nnumber = 2'), "assignments.toml:"),  # invalid toml
])
def test_spec_errors_name_the_task(change, message):
    with pytest.raises(SpecError, match=re.escape(message)):
        parse_course(TOML.replace(*change))


HANDOUT = '\n[assignment.task.handout]\nblank = ["pkg/ref.py::area"]\n'


@pytest.mark.parametrize("extra, message", [
    ('\n[course]\nhidden_share = 1.5\n', "[course]: hidden_share is a share from 0 to 1"),
    ('\n[course]\nhiden_tests = "t"\n', "[course]: unknown key 'hiden_tests'"),
    ('\n[course]\ntest_timeout = "10"\n', "[course]: 'test_timeout' must be float"),
    ('\n[course]\nhidden_visibility = "soon"\n', "hidden_visibility must be one of"),
    ('\n[course]\nleak_min_lines = 1\n', "leak_min_lines must be at least 2"),
    ('\n[course]\nrequire_hidden_tests = 1\n', "'require_hidden_tests' must be bool"),
    ("hidden_points = 5\n", "task 1.1: hidden_points must be at least 0 and less than points"),
    ("blnk = 3\n", "task 1.1: unknown key 'blnk'"),
    (HANDOUT.replace("::area", ""), "blank entry 'pkg/ref.py' must be 'path/to/file.py::name'"),
    (HANDOUT.replace("blank", "leave_out").replace("::area", "").replace("pkg", "/pkg"),
     "leave_out entry '/pkg/ref.py' must be a relative POSIX path"),
    (HANDOUT.replace("blank", "hide_in").replace("::area", "").replace(".py", ".md"),
     "hide_in entry 'pkg/ref.md' must be a Python file"),
    (HANDOUT.replace("blank =", "hide ="), "[handout]: unknown key 'hide'"),
    ('\n[[assignment.task.known_leak]]\nfile = "a.py"\nreason = ""\n',
     "a known_leak ('a.py') needs a reason"),
    ('\n[[assignment.task.equivalent_mutant]]\nreason = "r"\n',
     "an equivalent_mutant: missing key 'mutant'"),
])
def test_new_keys_are_validated_with_clear_errors(extra, message):
    text = (extra + TOML) if extra.startswith("\n[course]") else TOML + extra
    with pytest.raises(SpecError, match=re.escape(message)):
        parse_course(text)


def test_settings_and_giveaways_are_read():
    text = ("[course]\nrequire_hidden_tests = true\nhidden_share = 0.25\n" + TOML + HANDOUT +
            '\n[[assignment.task.known_leak]]\nfile = "docs/a.md"\nreason = "a sketch"\n')
    course = parse_course(text)
    task = course.task("1.1")
    assert course.settings.require_hidden_tests and task.hidden_points == 1.25
    assert task.public_points == 3.75
    assert task.handout.functions() == [("pkg/ref.py", "area")]
    assert [(k.what, k.reason) for k in task.known_leaks] == [("docs/a.md", "a sketch")]
    assert course.is_hidden_test("tests/hidden/test_x.py::test_y")
    assert not course.is_hidden_test("tests/test_hidden.py::test_y")


def test_a_task_defined_twice_is_an_error():
    with pytest.raises(SpecError, match=r"task 1\.1: defined twice"):
        parse_course(TOML + TASK)


def test_the_course_of_this_repository():
    course = load_course()
    root = repo_root()
    assert len(course.assignments) >= 5
    for assignment in course.assignments:
        assert (root / assignment.doc).is_file(), assignment.doc
        for task in assignment.tasks:
            assert all((root / f).is_file() for f in task.files), task.id
    assert marker_name("1.2") == "task_1_2"


def test_every_task_marker_is_registered(pytestconfig):
    registered = {line.split(":")[0] for line in pytestconfig.getini("markers")}
    assert {task.marker for task in load_course().tasks} <= registered


def test_student_command_on_this_repository(tmp_path, capsys):
    out = tmp_path / "hw1"
    assert main(["student", str(out), "--assignment", "1"]) == 0
    arithmetic = (out / "tinygrad_res" / "ops" / "arithmetic.py").read_text()
    assert 'raise NotImplementedError(\n            "Task 1.2: return the gradients of Mul and ' \
           'Div from their saved inputs")' in arithmetic
    solution = (repo_root() / "tinygrad_res" / "ops" / "arithmetic.py").read_text()
    mul_backward = solution[solution.index("class Mul"):solution.index("class Div")]
    answer = mul_backward.split("# BEGIN TASK 1.2\n")[1].split("# END TASK 1.2")[0]
    assert answer.strip() and answer not in arithmetic  # read from the solution, not quoted
    root = repo_root()
    for unchanged in ("tinygrad_res/ops/reduce.py", "tinygrad_res/function.py", "pyproject.toml"):
        assert (out / unchanged).read_text() == (root / unchanged).read_text()
    assert (out / "README.md").read_text().startswith("# Student version: assignment 1 (")
    assert "docs/students.md" in (out / "README.md").read_text()
    assert not (out / ".git").exists() and not (out / ".venv").exists()
    assert not (out / "tests" / "hidden").exists() and (root / "tests" / "hidden").is_dir()
    handout_toml = (out / "course" / "assignments.toml").read_text()
    assert "known_leak" not in handout_toml and "handout = true" in handout_toml
    assert main(["student", str(out), "--assignment", "1"]) == 2
    assert main(["student", str(tmp_path / "x"), "--assignment", "9"]) == 2
    err = capsys.readouterr().err
    assert "exists and is not empty" in err and "no assignment 9; assignments: 1, 2" in err
