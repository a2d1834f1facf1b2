"""The course/assignments.toml a handout carries: what a student's tools need, nothing more.

The instructor's toml also says where answers would leak from (known leaks, the functions a
handout blanks) and how the solution was mutated (equivalent mutants quote its code): none of
that ships. The student's copy keeps the settings, the assignments and, per task, its id,
title, points (and the hidden tests' part of them), files and stub message, with
`handout = true` so that `grade` knows the hidden tests are elsewhere.
"""
from __future__ import annotations

import dataclasses
import json

from .spec import Course, Settings

HEADER = """\
# The course as handed out: written by `python -m course student` from the instructor's
# course/assignments.toml. Your tests are the ones marked @pytest.mark.task_N_M in tests/;
# the hidden tests (their points are `hidden_points`) run when your work is graded.
"""


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"course: cannot write {value!r} as TOML")


def student_toml(course: Course) -> str:
    """The toml text of `course` for a handout (parse_course reads it back)."""
    settings = dataclasses.replace(course.settings, handout=True)
    defaults = Settings()
    lines = [HEADER, "[course]"]
    for item in dataclasses.fields(Settings):
        value = getattr(settings, item.name)
        if value != getattr(defaults, item.name):
            lines.append(f"{item.name} = {_value(value)}")
    for assignment in course.assignments:
        lines += ["", "[[assignment]]", f"number = {assignment.number}",
                  f"title = {_value(assignment.title)}", f"doc = {_value(assignment.doc)}"]
        for task in assignment.tasks:
            lines += ["", "[[assignment.task]]", f"id = {_value(task.id)}",
                      f"title = {_value(task.title)}", f"points = {_value(task.points)}",
                      f"hidden_points = {_value(task.hidden_points)}",
                      f"files = {_value(list(task.files))}", f"todo = {_value(task.todo)}"]
    return "\n".join(lines) + "\n"
