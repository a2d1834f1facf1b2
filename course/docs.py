"""The parts of docs/assignments/ written from course/assignments.toml: `python -m course docs`.

Each assignment page carries its points table (every task's points, and how they split
between public and hidden tests) between two comment lines, and docs/assignments/README.md
its table of assignments; `python -m course docs` rewrites them from the toml, and
`course check` (and a test) fails when a page is out of date, so a page cannot show points
the grader does not give.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

from .spec import Assignment, Course

BEGIN = "<!-- BEGIN {what} (written from course/assignments.toml by `python -m course docs`) -->"
END = "<!-- END {what} -->"
INDEX = "docs/assignments/README.md"


def _g(value: float) -> str:
    return f"{value:g}"


def points_block(assignment: Assignment) -> str:
    public = sum(t.public_points for t in assignment.tasks)
    hidden = sum(t.hidden_points for t in assignment.tasks)
    rows = [f"| {t.id} | {_g(t.points)} | {_g(t.public_points)} | {_g(t.hidden_points)} |"
            for t in assignment.tasks]
    return "\n".join([
        f"**Points.** {_g(assignment.points)} in all: {_g(public)} from the public tests (in "
        f"your copy: `python -m course grade` runs them) and {_g(hidden)} from hidden tests, "
        f"which run when your work is graded. Within each part a task scores its points times "
        f"the share of those tests that pass.", "",
        "| task | points | public tests | hidden tests |", "|---|---|---|---|", *rows])


def index_block(course: Course) -> str:
    rows = []
    for a in course.assignments:
        ids = [t.id for t in a.tasks]
        span = ids[0] if len(ids) == 1 else f"{ids[0]}-{ids[-1]}"
        link = Path(a.doc).name
        rows.append(f"| {a.number} | [{a.title}]({link}) | {span} | {_g(a.points)} |")
    return "\n".join(["| # | assignment | tasks | points |", "|---|---|---|---|", *rows])


def _replace(text: str, what: str, block: str, path: str) -> str:
    begin, end = BEGIN.format(what=what), END.format(what=what)
    pattern = re.compile(re.escape(begin) + r"\n.*?\n" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"course: {path} has no {begin!r} ... {end!r} block")
    return pattern.sub(lambda _: f"{begin}\n{block}\n{end}", text)


def expected_pages(root: Path, course: Course) -> dict:
    """{path: the text it should have}."""
    pages = {}
    for assignment in course.assignments:
        text = (Path(root) / assignment.doc).read_text(encoding="utf-8")
        pages[assignment.doc] = _replace(text, "POINTS", points_block(assignment),
                                         assignment.doc)
    index = (Path(root) / INDEX).read_text(encoding="utf-8")
    pages[INDEX] = _replace(index, "ASSIGNMENTS", index_block(course), INDEX)
    return pages


def docs_problems(root: Path, course: Course) -> List[str]:
    """The pages whose generated parts differ from the toml."""
    try:
        pages = expected_pages(root, course)
    except (ValueError, OSError) as error:
        return [str(error).removeprefix("course: ")]
    return [f"{path}: its points table is out of date: run `python -m course docs`"
            for path, text in pages.items()
            if (Path(root) / path).read_text(encoding="utf-8") != text]


def write_docs(root: Path, course: Course) -> List[str]:
    """Rewrite the generated parts; return the pages that changed."""
    changed = []
    for path, text in expected_pages(root, course).items():
        if (Path(root) / path).read_text(encoding="utf-8") != text:
            (Path(root) / path).write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
