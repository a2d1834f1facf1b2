"""Reading course/assignments.toml: every key checked, every mistake a SpecError naming where.

A key the schema does not know is an error too (a typo such as `hide_In` must not silently
switch a check off). The schema, top to bottom:

    [course]                      optional settings: course.spec.Settings, with their defaults
    [[assignment]]                number, title, doc
    [[assignment.task]]           id, title, points, files, todo, optional hidden_points
    [assignment.task.handout]     optional: leave_out, blank, hide_in (course.spec.Handout)
    [[assignment.task.known_leak]]         file, reason    (a leak `check` reports, accepted)
    [[assignment.task.equivalent_mutant]]  mutant, reason  (a mutant no test can kill)
"""
from __future__ import annotations

import dataclasses
import re
import sys
from typing import Tuple

from .spec import (VISIBILITIES, Assignment, Course, Excuse, Handout, Settings, SpecError,
                   Task)

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI (a dependency on 3.10 only)
    import tomli as tomllib

TASK_ID = re.compile(r"^(\d+)\.(\d+)$")
QUALNAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
TASK_KEYS = {"id", "title", "points", "files", "todo", "hidden_points", "handout",
             "known_leak", "equivalent_mutant"}
ASSIGNMENT_KEYS = {"number", "title", "doc", "task"}


def _require(table: dict, key: str, kind: type, where: str):
    if key not in table:
        raise SpecError(f"{where}: missing key {key!r}")
    return _typed(table[key], key, kind, where)


def _typed(value, key: str, kind: type, where: str):
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SpecError(f"{where}: {key!r} must be {kind.__name__}, got {value!r}")
    return value


def _known_keys(table: dict, known: set, where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise SpecError(f"{where}: unknown key {unknown[0]!r}; known keys: "
                        f"{', '.join(sorted(known))}")


def check_path(path, where: str, key: str) -> str:
    """A repository path as the toml writes it: relative, POSIX, inside the repository."""
    if not isinstance(path, str) or not path.strip():
        raise SpecError(f"{where}: {key} entries must be non-empty strings, got {path!r}")
    if path.startswith("/") or "\\" in path or ".." in path.split("/") or path != path.strip():
        raise SpecError(f"{where}: {key} entry {path!r} must be a relative POSIX path inside "
                        f"the repository (no leading '/', no '..', no backslashes)")
    return path


def _paths(table: dict, key: str, where: str) -> Tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise SpecError(f"{where}: {key!r} must be a list of paths, got {value!r}")
    paths = tuple(check_path(p, where, key) for p in value)
    if len(set(paths)) != len(paths):
        raise SpecError(f"{where}: {key!r} lists a path twice: {list(paths)}")
    return paths


def _handout(table, where: str) -> Handout:
    where = f"{where}: [handout]"
    if not isinstance(table, dict):
        raise SpecError(f"{where} must be a table")
    _known_keys(table, {f.name for f in dataclasses.fields(Handout)}, where)
    blank = _paths(table, "blank", where)
    for entry in blank:
        path, _, qualname = entry.partition("::")
        if not qualname or not path.endswith(".py") or not QUALNAME.match(qualname):
            raise SpecError(f"{where}: blank entry {entry!r} must be 'path/to/file.py::name' "
                            f"or '...::Class.method'")
    for entry in _paths(table, "hide_in", where):
        if not entry.endswith(".py"):
            raise SpecError(f"{where}: hide_in entry {entry!r} must be a Python file")
    return Handout(_paths(table, "leave_out", where), blank, _paths(table, "hide_in", where))


def _excuses(table: dict, key: str, what: str, where: str) -> Tuple[Excuse, ...]:
    entries = table.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise SpecError(f"{where}: {key!r} must be [[assignment.task.{key}]] tables")
    excuses = []
    for entry in entries:
        here = f"{where}: {'an' if key[0] in 'aeiou' else 'a'} {key}"
        _known_keys(entry, {what, "reason"}, here)
        name = _require(entry, what, str, here)
        reason = _require(entry, "reason", str, here)
        if not reason.strip():
            raise SpecError(f"{here} ({name!r}) needs a reason")
        excuses.append(Excuse(check_path(name, here, what) if what == "file" else name, reason))
    names = [e.what for e in excuses]
    if len(set(names)) != len(names):
        raise SpecError(f"{where}: a {key} is listed twice: {names}")
    return tuple(excuses)


def _parse_task(table: dict, number: int, where: str, settings: Settings) -> Task:
    task_id = _require(table, "id", str, where)
    where = f"task {task_id}"
    match = TASK_ID.match(task_id)
    if not match or int(match.group(1)) != number:
        raise SpecError(f"{where}: the id must be '{number}.M' inside assignment {number}")
    _known_keys(table, TASK_KEYS, where)
    files = _require(table, "files", list, where)
    if not files or not all(isinstance(f, str) for f in files):
        raise SpecError(f"{where}: 'files' must list the source files holding its regions")
    files = tuple(check_path(f, where, "files") for f in files)
    todo = _require(table, "todo", str, where)
    if not todo.strip() or "\n" in todo:
        raise SpecError(f"{where}: 'todo' must be one line saying what to implement")
    points = _require(table, "points", float, where)
    if points <= 0:
        raise SpecError(f"{where}: points must be positive, got {points}")
    hidden = round(points * settings.hidden_share, 2)
    if "hidden_points" in table:
        hidden = _typed(table["hidden_points"], "hidden_points", float, where)
    if not 0 <= hidden < points:
        raise SpecError(f"{where}: hidden_points must be at least 0 and less than points "
                        f"({points:g}): the public tests carry the rest; got {hidden:g}")
    return Task(task_id, _require(table, "title", str, where), points, files, todo, hidden,
                _handout(table.get("handout", {}), where),
                _excuses(table, "known_leak", "file", where),
                _excuses(table, "equivalent_mutant", "mutant", where))


def _settings(table, source: str) -> Settings:
    where = f"{source}: [course]"
    if not isinstance(table, dict):
        raise SpecError(f"{where} must be a table")
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    _known_keys(table, set(fields), where)
    values = {}
    for name, value in table.items():
        kind = type(fields[name].default)
        values[name] = _typed(value, name, kind, where)
    settings = Settings(**values)
    if settings.hidden_visibility not in VISIBILITIES:
        raise SpecError(f"{where}: hidden_visibility must be one of {', '.join(VISIBILITIES)}, "
                        f"got {settings.hidden_visibility!r}")
    for name in ("hidden_share", "mutation_threshold"):
        if not 0 <= getattr(settings, name) <= 1:
            raise SpecError(f"{where}: {name} is a share from 0 to 1, got "
                            f"{getattr(settings, name)}")
    if settings.hidden_share == 1:
        raise SpecError(f"{where}: hidden_share must be below 1: public tests carry points too")
    for name in ("test_timeout", "grading_budget", "mutant_timeout"):
        if getattr(settings, name) <= 0:
            raise SpecError(f"{where}: {name} must be positive seconds")
    if settings.leak_min_lines < 2 or settings.leak_min_tokens < 1:
        raise SpecError(f"{where}: leak_min_lines must be at least 2 and leak_min_tokens "
                        f"at least 1: a single line matches too much unrelated code")
    check_path(settings.hidden_tests, where, "hidden_tests")
    return settings


def parse(text: str, source: str = "assignments.toml") -> Course:
    """Parse and validate the toml text of a course."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{source}: {error}") from None
    _known_keys(data, {"course", "assignment"}, source)
    settings = _settings(data.get("course", {}), source)
    assignments, seen = [], set()
    for table in data.get("assignment", []):
        number = _require(table, "number", int, f"{source}: an assignment")
        where = f"assignment {number}"
        _known_keys(table, ASSIGNMENT_KEYS, where)
        tasks = tuple(_parse_task(t, number, where, settings) for t in table.get("task", []))
        if not tasks:
            raise SpecError(f"{where}: has no [[assignment.task]]")
        for task in tasks:
            if task.id in seen:
                raise SpecError(f"task {task.id}: defined twice")
            seen.add(task.id)
        assignments.append(Assignment(number, _require(table, "title", str, where),
                                      _require(table, "doc", str, where), tasks))
    if not assignments:
        raise SpecError(f"{source}: defines no [[assignment]]")
    numbers = [a.number for a in assignments]
    if len(set(numbers)) != len(numbers):
        raise SpecError(f"{source}: assignment numbers repeat: {numbers}")
    return Course(tuple(assignments), settings)
