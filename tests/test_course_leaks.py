"""The leak check: normalized tokens see through renaming and layout, not through different
code; a handout's copy of a blanked solution is found, named by task, file and lines."""
from course.leak_check import find_leaks, judge_leaks
from course.leaks import Index, normalize, python_streams, text_streams
from course.spec import parse_course
from course.tree import repo_files, scan_regions
from course_helpers import TOML, course_of, dedent, make_repo

SOLUTION = dedent("""
    def clip(values, limit):
        total, count = 0.0, len(values)
        scaled = [v / limit for v in values]
        for value in scaled:
            total += value * value
        if total > limit:
            scaled.reverse()
    """)
COPY = dedent("""
    def shrink(xs, m):   # renamed, re-spaced, commented: the same tokens
        acc , n = 0.0 , len( xs )
        out = [x / m for x in xs]   # a list
        for x in out :
            acc += x*x
        if acc > m:
            out.reverse()
    """)


def code_lines(text):
    return python_streams(text)[0]


def test_names_numbers_strings_and_comments_are_normalized_but_not_what_carries_meaning():
    [line] = code_lines("total = grad.sum(axis=0) + offsets[1]  # note\n")
    assert line.tokens == ("ID", "=", "ID", ".", "sum", "(", "axis", "=", "NUM", ")", "+", "ID",
                           "[", "NUM", "]")
    [other] = code_lines("s = g.sum(axis=2) + o[5]\n")
    assert other.tokens == line.tokens
    [matmul] = code_lines("s = g.sum(axis=2) @ o[5]\n")
    assert matmul.tokens != line.tokens          # another operator is other code
    [call] = code_lines("x = len(zip(a, 'text'))\n")
    assert call.tokens == ("ID", "=", "len", "(", "zip", "(", "ID", ",", "STR", ")", ")")


def test_a_statement_over_several_lines_is_one_logical_line():
    [line] = code_lines("y = f(a,\n      b)\n")
    assert (line.first, line.last) == (1, 2)


def test_a_renamed_copy_is_found_and_a_different_walk_is_not():
    index = Index({"copy.py": COPY, "other.py": SOLUTION.replace("+= value", "-= value")},
                  min_lines=3, min_tokens=15)
    matches = index.find(code_lines(SOLUTION)[1:])  # the body, without the def line
    copies = [m for m in matches if m.path == "copy.py"]
    assert [(m.first, m.last, m.source_first, m.source_last) for m in copies] == [(2, 7, 2, 7)]
    # other.py differs in line 5: only the block of 3 lines before it is the same
    assert [(m.first, m.last) for m in matches if m.path == "other.py"] == [(2, 4)]


def test_code_quoted_in_a_page_or_a_docstring_counts():
    page = "# Notes\n\nThe walk:\n\n    " + COPY.replace("\n", "\n    ") + "\nThat is all.\n"
    docstring = 'def f():\n    """Example:\n\n    >>> ' + \
        "\n    ... ".join(COPY.splitlines()) + '\n    """\n'
    index = Index({"page.md": page, "mod.py": docstring}, 3, 15)
    found = {m.path for m in index.find(code_lines(SOLUTION)[1:])}
    assert found == {"page.md", "mod.py"}


def test_prose_and_short_boilerplate_are_not_blocks():
    lines = text_streams("We walk the graph (every node once) and\nreturn the order.\n")[0]
    assert len(lines) == 2
    index = Index({"a.py": "x, y = self.saved\nreturn g * y, g * x\n"}, 3, 15)
    # two short lines are found only as a whole short solution of at least 15 tokens
    assert index.find(code_lines("a, b = self.saved\nreturn g * b, g * a\n"))
    assert not index.find(code_lines("a = self.saved\nreturn a\n"))


def test_the_tiny_course_leaks_its_reference_unless_the_handout_blanks_it(tmp_path):
    root = make_repo(tmp_path / "repo")
    files = repo_files(root)
    regions = scan_regions(root, files)
    assert find_leaks(root, course_of(root), files, regions) == []  # blanked: no leak
    exposed = parse_course(TOML.replace('blank = ["pkg/reference.py::area_reference"]', ""))
    [leak] = find_leaks(root, exposed, files, regions)
    assert leak.describe() == (
        "task 1.1: pkg/reference.py lines 6-8 repeat its solution pkg/geometry.py:6-8 (in the "
        "handout of assignment 1, the whole course)")
    problems, notes = judge_leaks(exposed, [leak])
    assert problems == [f"leak: {leak.describe()}"] and notes == []


def test_a_known_leak_is_a_note_and_a_stale_one_a_problem(tmp_path):
    root = make_repo(tmp_path / "repo")
    files = repo_files(root)
    toml = TOML.replace('blank = ["pkg/reference.py::area_reference"]\n',
                        'blank = []\n\n[[assignment.task.known_leak]]\nfile = "pkg/reference.py"'
                        '\nreason = "kept for the hidden tests"\n')
    course = parse_course(toml)
    leaks = find_leaks(root, course, files, scan_regions(root, files))
    problems, notes = judge_leaks(course, leaks)
    assert problems == [] and len(notes) == 1
    assert notes[0].startswith("known leak (accepted in the toml): task 1.1: pkg/reference.py")
    assert notes[0].endswith("; kept for the hidden tests")
    assert judge_leaks(course, [])[0] == [
        "task 1.1: the known leak in pkg/reference.py is no longer found: remove it from "
        "course/assignments.toml"]
