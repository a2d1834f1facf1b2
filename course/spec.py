"""The assignments as data: course/assignments.toml read into small dataclasses.

The toml is the one place an instructor edits: assignments, their tasks, the files each task's
regions live in, the points, and the message a student's stub raises. The pytest markers
(`task_1_2`), the student generator, the grader and the checker all read it through here.

    >>> course = load_course()
    >>> course.task("1.2").marker
    'task_1_2'
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI (a dependency on 3.10 only)
    import tomli as tomllib

SPEC_PATH = Path(__file__).with_name("assignments.toml")
TASK_ID = re.compile(r"^(\d+)\.(\d+)$")


class SpecError(ValueError):
    """course/assignments.toml is malformed: the message names the assignment or task."""


def marker_name(task_id: str) -> str:
    """The pytest marker of a task: '1.2' -> 'task_1_2'."""
    return "task_" + task_id.replace(".", "_")


@dataclass(frozen=True)
class Task:
    """One unit of work: the regions marked with its id, graded by the tests marked with it."""
    id: str
    title: str
    points: float
    files: Tuple[str, ...]
    todo: str

    @property
    def marker(self) -> str:
        return marker_name(self.id)

    @property
    def assignment(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def stub_message(self) -> str:
        """What the student's stub raises: 'Task 1.2: <what to implement>'."""
        return f"Task {self.id}: {self.todo}"


@dataclass(frozen=True)
class Assignment:
    number: int
    title: str
    doc: str
    tasks: Tuple[Task, ...]

    @property
    def points(self) -> float:
        return sum(task.points for task in self.tasks)


@dataclass(frozen=True)
class Course:
    assignments: Tuple[Assignment, ...]
    _tasks: Dict[str, Task] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        for assignment in self.assignments:
            for task in assignment.tasks:
                self._tasks[task.id] = task

    @property
    def tasks(self) -> List[Task]:
        """Every task, in course order."""
        return [task for assignment in self.assignments for task in assignment.tasks]

    def task(self, task_id: str) -> Task:
        if task_id not in self._tasks:
            raise LookupError(f"course: no task {task_id!r}; tasks: {', '.join(self._tasks)}")
        return self._tasks[task_id]

    def assignment(self, number: int) -> Assignment:
        for assignment in self.assignments:
            if assignment.number == number:
                return assignment
        known = ", ".join(str(a.number) for a in self.assignments)
        raise LookupError(f"course: no assignment {number}; assignments: {known}")

    def select(self, number: Optional[int]) -> List[Assignment]:
        """All assignments (number None) or just the one numbered `number`."""
        return list(self.assignments) if number is None else [self.assignment(number)]


def _require(table: dict, key: str, kind: type, where: str):
    if key not in table:
        raise SpecError(f"{where}: missing key {key!r}")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise SpecError(f"{where}: {key!r} must be {kind.__name__}, got {value!r}")
    return value


def _parse_task(table: dict, number: int, where: str) -> Task:
    task_id = _require(table, "id", str, where)
    where = f"task {task_id}"
    match = TASK_ID.match(task_id)
    if not match or int(match.group(1)) != number:
        raise SpecError(f"{where}: the id must be '{number}.M' inside assignment {number}")
    files = _require(table, "files", list, where)
    if not files or not all(isinstance(f, str) for f in files):
        raise SpecError(f"{where}: 'files' must list the source files holding its regions")
    todo = _require(table, "todo", str, where)
    if not todo.strip() or "\n" in todo:
        raise SpecError(f"{where}: 'todo' must be one line saying what to implement")
    points = _require(table, "points", float, where)
    if points <= 0:
        raise SpecError(f"{where}: points must be positive, got {points}")
    return Task(task_id, _require(table, "title", str, where), points, tuple(files), todo)


def parse_course(text: str, source: str = "assignments.toml") -> Course:
    """Parse and validate the toml text of a course."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{source}: {error}") from None
    assignments, seen = [], set()
    for table in data.get("assignment", []):
        number = _require(table, "number", int, f"{source}: an assignment")
        where = f"assignment {number}"
        tasks = tuple(_parse_task(t, number, where) for t in table.get("task", []))
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
    return Course(tuple(assignments))


def load_course(path: Path = SPEC_PATH) -> Course:
    """The course defined by `path` (default: course/assignments.toml next to this file)."""
    return parse_course(Path(path).read_text(encoding="utf-8"), str(path))
