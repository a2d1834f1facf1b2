"""The assignments as data: course/assignments.toml read into small dataclasses.

The toml is the one place an instructor edits: the course's settings, the assignments, their
tasks, the files each task's regions live in, the points, the message a student's stub
raises, and what else would give a task away in a handout. The pytest markers (`task_1_2`),
the student generator, the grader, the autograder and the checker all read it through here;
course/spec_parse.py validates it.

    >>> course = load_course()
    >>> course.task("1.2").marker
    'task_1_2'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

SPEC_PATH = Path(__file__).with_name("assignments.toml")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's


class SpecError(ValueError):
    """course/assignments.toml is malformed: the message names the assignment or task."""


def marker_name(task_id: str) -> str:
    """The pytest marker of a task: '1.2' -> 'task_1_2'."""
    return "task_" + task_id.replace(".", "_")


@dataclass(frozen=True)
class Settings:
    """The [course] table: where hidden tests live, grading limits, what `check` enforces."""
    hidden_tests: str = "tests/hidden"      # never shipped in a handout; run by make test
    require_hidden_tests: bool = False      # a task without hidden tests is a problem
    hidden_share: float = 0.5               # of a task's points, when it has hidden tests
    hidden_visibility: str = "after_due_date"   # of hidden-test results on Gradescope
    test_timeout: float = 60.0              # seconds per test when grading a submission
    grading_budget: float = 1200.0          # seconds for all the tests of one grading run
    leak_min_lines: int = 3                 # a copied block this many logical lines long...
    leak_min_tokens: int = 15               # ...and this many tokens (line ends count 1) leaks
    mutation_threshold: float = 0.9         # share of a task's mutants its tests must kill
    enforce_mutation_score: bool = False    # a task below the threshold is a problem
    mutant_timeout: float = 60.0            # seconds for one mutant's tests (a hang is a kill)
    handout: bool = False                   # true in a student's copy: no hidden tests here


@dataclass(frozen=True)
class Excuse:
    """A known leak (`what` is the file it is in) or an equivalent mutant (`what` is its id),
    with the reason it is accepted."""
    what: str
    reason: str


@dataclass(frozen=True)
class Handout:
    """What, besides its own regions, would give a task away, and so stays out of the handout:
    whole files (or folders ending in '/'), functions whose body is blanked ('path::qualname'),
    and files holding `# BEGIN HIDE N.M` ... `# END HIDE N.M` regions, blanked like a task's."""
    leave_out: Tuple[str, ...] = ()
    blank: Tuple[str, ...] = ()
    hide_in: Tuple[str, ...] = ()

    def functions(self) -> List[Tuple[str, str]]:
        """[(path, qualname)] of `blank`."""
        return [tuple(entry.split("::", 1)) for entry in self.blank]

    def leaves_out(self, path: str) -> bool:
        return any(path == entry or (entry.endswith("/") and path.startswith(entry))
                   for entry in self.leave_out)


@dataclass(frozen=True)
class Task:
    """One unit of work: the regions marked with its id, graded by the tests marked with it
    (public ones, shipped, and hidden ones under Settings.hidden_tests)."""
    id: str
    title: str
    points: float
    files: Tuple[str, ...]
    todo: str
    hidden_points: float = 0.0   # the part of `points` its hidden tests carry, when it has any
    handout: Handout = field(default_factory=Handout)
    known_leaks: Tuple[Excuse, ...] = ()
    equivalent_mutants: Tuple[Excuse, ...] = ()

    @property
    def marker(self) -> str:
        return marker_name(self.id)

    @property
    def assignment(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def public_points(self) -> float:
        return self.points - self.hidden_points

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
    settings: Settings = field(default_factory=Settings)
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

    def is_hidden_test(self, path: str) -> bool:
        """Whether a test file (or node id) lies in the hidden-tests folder."""
        folder = self.settings.hidden_tests.rstrip("/") + "/"
        return path.split("::")[0].startswith(folder)


def parse_course(text: str, source: str = "assignments.toml") -> Course:
    """Parse and validate the toml text of a course (see course/spec_parse.py)."""
    from .spec_parse import parse

    return parse(text, source)


def load_course(path: Path = SPEC_PATH) -> Course:
    """The course defined by `path` (default: course/assignments.toml next to this file)."""
    return parse_course(Path(path).read_text(encoding="utf-8"), str(path))
