"""The trees the course tools build from the repository: handouts and grading trees.

A **handout** is what a student receives: the tracked files, minus the hidden tests and the
files its tasks `leave_out`, with its tasks' regions stubbed, the functions its tasks `blank`
stubbed after their docstring, their HIDE regions stubbed, and a course/assignments.toml
keeping only what a student's tools need (no known leaks, no mutant notes).

A **grading tree** is the instructor's repository with some tasks' regions stubbed and
everything else in place (hidden tests, references): `grade --submission`, the autograder
and `course check` run the tests in one.

    plan = plan_tree(root, course, repo_files(root), blank={"1.1"}, student=True)
    plan.write(out)
"""
from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from .markers import MarkerError, Region, blank_regions, find_regions, stub_line
from .spec import Course, Task
from .spec_write import student_toml

SPEC_FILE = "course/assignments.toml"


def blank_message(path: str, qualname: str, task_id: str) -> str:
    """What a function blanked out of a handout raises."""
    return f"{path}::{qualname} is left out of the handout: it would give task {task_id} away"


def find_function(module: ast.Module, qualname: str) -> Optional[ast.AST]:
    """The def of `qualname` ('f', 'Class.method', 'outer.inner') in a parsed module."""
    node, body = None, module.body
    for part in qualname.split("."):
        node = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                          ast.ClassDef)) and n.name == part), None)
        if node is None:
            return None
        body = node.body
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def function_body_lines(text: str, path: str, qualname: str) -> Tuple[int, int, str]:
    """(first, last, indent): the 1-based lines of a function's body after its docstring.

    MarkerError (naming file and function) when it is missing or has nothing to blank.
    """
    try:
        module = ast.parse(text, path)
    except SyntaxError as error:
        raise MarkerError(f"{path}: cannot parse it to find {qualname}: {error}") from None
    node = find_function(module, qualname)
    if node is None:
        raise MarkerError(f"{path}: no function {qualname} to blank (course/assignments.toml "
                          f"[handout] blank)")
    body = node.body
    has_doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
               and isinstance(body[0].value.value, str))
    code = body[1:] if has_doc else body
    if not code:
        raise MarkerError(f"{path}: {qualname} has only a docstring: nothing to blank")
    if code[0].lineno == node.lineno:
        raise MarkerError(f"{path}: {qualname} is written on its def line: cannot blank it")
    first = body[0].end_lineno + 1 if has_doc else code[0].lineno
    indent = text.splitlines()[code[0].lineno - 1][:code[0].col_offset]
    return first, node.end_lineno, indent


def blank_function(text: str, path: str, qualname: str, message: str) -> str:
    """`text` with the body of `qualname` (after its docstring) replaced by a stub."""
    first, last, indent = function_body_lines(text, path, qualname)
    lines = text.splitlines(keepends=True)
    newline = "\n" if lines[last - 1].endswith("\n") else ""
    lines[first - 1:last] = [stub_line(indent, message) + newline]
    return "".join(lines)


@dataclass
class TreePlan:
    """The files of a tree (relative paths), and the new text of those that change."""
    root: Path
    files: List[str]
    texts: Dict[str, str] = field(default_factory=dict)

    def read(self, path: str) -> Optional[str]:
        """A file's text in this tree, or None when it is not UTF-8 text (an image)."""
        if path in self.texts:
            return self.texts[path]
        try:
            return (self.root / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, ValueError):
            return None

    def write(self, out: Path) -> List[str]:
        """Write the tree to `out` (which must be new or empty); return the changed files."""
        out = Path(out)
        if out.exists() and any(out.iterdir()):
            raise FileExistsError(f"course: {out} exists and is not empty; choose a new folder")
        for name in self.files:
            source, target = self.root / name, out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if name in self.texts:
                target.write_text(self.texts[name], encoding="utf-8")
                if source.exists():
                    shutil.copymode(source, target)
            else:
                shutil.copy2(source, target)
        return sorted(self.texts)


def plan_tree(root: Path, course: Course, files: Iterable[str], blank: Set[str],
              student: bool = False, giveaways: Optional[Set[str]] = None) -> TreePlan:
    """The tree with the regions of the tasks in `blank` stubbed.

    With `student`, it is their handout: hidden tests are dropped, and so is what would give
    away the tasks in `giveaways` (default: those in `blank`): their `leave_out` files go,
    their `blank` functions and HIDE regions are stubbed; the toml is reduced.
    """
    root = Path(root)
    away = set(blank if giveaways is None else giveaways) if student else set()
    giveaways = [course.task(task_id) for task_id in sorted(away)]
    messages = {task.id: task.stub_message for task in course.tasks}
    kept = [name for name in files if not (student and _left_out(course, giveaways, name))]
    plan = TreePlan(root, kept)
    functions = {}
    for task in giveaways:
        for path, qualname in task.handout.functions():
            functions.setdefault(path, []).append((qualname, task.id))

    def chosen(region: Region) -> bool:
        if region.hide:
            return region.task in away
        return region.task in blank and region.task in messages

    for name in kept:
        if not name.endswith(".py"):
            continue
        text = (root / name).read_text(encoding="utf-8")
        new = blank_regions(text, chosen, messages, name) if "TASK" in text or "HIDE" in text \
            else text
        for qualname, task_id in functions.get(name, []):
            new = blank_function(new, name, qualname, blank_message(name, qualname, task_id))
        if new != text:
            plan.texts[name] = new
    if student and SPEC_FILE in kept:
        plan.texts[SPEC_FILE] = student_toml(course)
    return plan


def _left_out(course: Course, tasks: List[Task], name: str) -> bool:
    return course.is_hidden_test(name) or any(t.handout.leaves_out(name) for t in tasks)


def giveaway_problems(root: Path, course: Course, files: List[str],
                      regions: Dict[str, List[Region]]) -> List[str]:
    """The toml's [handout] entries against the repository: every file left out is tracked,
    every function to blank exists, HIDE regions sit in exactly the files listed."""
    problems, tracked = [], set(files)
    hides = {}
    for path, found in regions.items():
        for region in found:
            if region.hide:
                hides.setdefault(region.task, set()).add(path)
    for task in course.tasks:
        where = f"task {task.id}: [handout]"
        for entry in task.handout.leave_out:
            if not (entry in tracked or (entry.endswith("/") and
                                         any(f.startswith(entry) for f in tracked))):
                problems.append(f"{where} leave_out {entry}: no such tracked file")
            if any(entry == f or (entry.endswith("/") and f.startswith(entry))
                   for f in task.files):
                problems.append(f"{where} leave_out {entry} holds the task's own regions")
        for path, qualname in task.handout.functions():
            if path not in tracked:
                problems.append(f"{where} blank {path}::{qualname}: no such tracked file")
                continue
            try:
                function_body_lines((Path(root) / path).read_text(encoding="utf-8"), path,
                                    qualname)
            except MarkerError as error:
                problems.append(f"{where} blank: {error}")
        listed, found = set(task.handout.hide_in), hides.get(task.id, set())
        for path in sorted(listed - found):
            problems.append(f"{where} hide_in lists {path} but it has no HIDE {task.id} region")
        for path in sorted(found - listed):
            problems.append(f"task {task.id}: {path} has a HIDE {task.id} region, not listed "
                            f"in its [handout] hide_in")
    return problems


__all__ = ["TreePlan", "plan_tree", "blank_function", "find_function", "giveaway_problems",
           "SPEC_FILE"]
