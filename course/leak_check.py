"""The leak check of `course check`: no handout carries a copy of what it blanked.

For every handout (each assignment's, and the whole course's), the **blanked solution** is
the code of its tasks' TASK and HIDE regions, the bodies of the functions they `blank`, and
the functions of the files they `leave_out`. Every block of it (course/leaks.py: a few
logical lines of normalized tokens) is looked up in every text file of that handout: a hit
is a leak, reported with the task, the file and the lines, and which solution lines it
repeats. A leak listed in the task's `[[assignment.task.known_leak]]` (same task and file)
is accepted and printed as known; a listed leak that is no longer found is a problem, so the
list only shrinks.
"""
from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .handout import function_body_lines, plan_tree
from .leaks import Index, Line, lines_between, streams_of
from .markers import Region
from .spec import Course, Task


@dataclass(frozen=True)
class Leak:
    task: str
    path: str
    first: int
    last: int
    source: str          # the solution lines it repeats: "tinygrad_res/autograd.py:20-27"
    handouts: Tuple[str, ...]

    def describe(self) -> str:
        return (f"task {self.task}: {self.path} lines {self.first}-{self.last} repeat its "
                f"solution {self.source} (in the handout of {', '.join(self.handouts)})")


def solution_parts(root: Path, task: Task,
                   regions: Dict[str, List[Region]]) -> List[Tuple[str, List[Line]]]:
    """(where, logical lines) of everything a handout of `task` blanks."""
    parts = []
    texts: Dict[str, str] = {}

    def text(path: str) -> str:
        if path not in texts:
            texts[path] = (Path(root) / path).read_text(encoding="utf-8")
        return texts[path]

    for path, found in sorted(regions.items()):
        for region in found:
            if region.task == task.id:
                first, last = region.begin + 2, region.end
                parts.append((f"{path}:{first}-{last}", lines_between(text(path), first, last)))
    for path, qualname in task.handout.functions():
        first, last, _ = function_body_lines(text(path), path, qualname)
        parts.append((f"{path}::{qualname}", lines_between(text(path), first, last)))
    for entry in task.handout.leave_out:
        for path in sorted(p for p in _tracked_python(root, entry)):
            for node in ast.walk(ast.parse(text(path))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = node.body[0].lineno
                    parts.append((f"{path}::{node.name}",
                                  lines_between(text(path), first, node.end_lineno)))
    return parts


def _tracked_python(root: Path, entry: str) -> List[str]:
    from .tree import repo_files

    return [p for p in repo_files(root) if p.endswith(".py") and
            (p == entry or (entry.endswith("/") and p.startswith(entry)))]


class StreamCache:
    """Tokenized files, shared by the handouts (most files are the same in all of them)."""

    def __init__(self) -> None:
        self.seen: Dict[str, list] = {}

    def streams(self, path: str, text: str) -> list:
        key = hashlib.sha1((path + "\0" + text).encode()).hexdigest()
        if key not in self.seen:
            self.seen[key] = streams_of(path, text)
        return self.seen[key]


def find_leaks(root: Path, course: Course, files: List[str], regions: Dict[str, List[Region]],
               number: Optional[int] = None) -> List[Leak]:
    """Every leak in the handouts of the chosen assignments (and the whole course's)."""
    settings, cache = course.settings, StreamCache()
    handouts = [(f"assignment {a.number}", list(a.tasks)) for a in course.select(number)]
    if number is None:
        handouts.append(("the whole course", course.tasks))
    found: Dict[tuple, set] = {}
    parts = {task.id: solution_parts(root, task, regions) for task in course.tasks}
    for name, tasks in handouts:
        plan = plan_tree(root, course, files, {t.id for t in tasks}, student=True)
        texts = {path: plan.read(path) for path in plan.files}
        index = Index({}, settings.leak_min_lines, settings.leak_min_tokens)
        for path, text in texts.items():
            if text is not None:
                index.add(path, cache.streams(path, text))
        for task in tasks:
            for where, lines in parts[task.id]:
                for match in index.find(lines):
                    source = f"{where.split(':')[0]}:{match.source_first}-{match.source_last}"
                    key = (task.id, match.path, match.first, match.last, source)
                    found.setdefault(key, set()).add(name)
    return [Leak(*key, tuple(sorted(names))) for key, names in sorted(found.items())]


def judge_leaks(course: Course, leaks: List[Leak], number: Optional[int] = None
                ) -> Tuple[List[str], List[str]]:
    """(problems, notes): unknown leaks and stale known leaks are problems; known ones notes."""
    problems, notes = [], []
    chosen = {t.id for a in course.select(number) for t in a.tasks}
    for leak in leaks:
        known = next((k for k in course.task(leak.task).known_leaks if k.what == leak.path),
                     None)
        if known is None:
            problems.append(f"leak: {leak.describe()}")
        else:
            notes.append(f"known leak (accepted in the toml): {leak.describe()}; {known.reason}")
    for task in course.tasks:
        if task.id not in chosen:
            continue
        for known in task.known_leaks:
            if not any(leak.task == task.id and leak.path == known.what for leak in leaks):
                problems.append(f"task {task.id}: the known leak in {known.what} is no longer "
                                f"found: remove it from course/assignments.toml")
    return problems, notes
