"""Solution regions in the source, and the stubs that replace them in a student's copy.

A region is a block of lines between two comment lines of the same indentation, a BEGIN
marker and an END marker carrying the task id (`# BEGIN TASK 1.2` ... `# END TASK 1.2`).
The student version keeps both marker lines and replaces what is between them by one
statement at the marker's indentation:

    raise NotImplementedError("Task 1.2: <what to implement>")

Regions do not nest. A marker that is malformed, unclosed, closed by another task's END, or
that encloses no code is a MarkerError naming the file, the line and the task.
"""
from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Dict, List

MARKER = re.compile(r"^(?P<indent>[ \t]*)# (?P<kind>BEGIN|END) TASK (?P<id>\d+\.\d+)[ \t]*$")
LINE_WIDTH = 99  # a longer stub is split over lines
# anything that looks like an attempt at a marker, so a typo is an error and not ignored
LOOSE = re.compile(r"^[ \t]*#\s*(BEGIN|END)\s+TASK\b", re.IGNORECASE)


class MarkerError(ValueError):
    """A marker problem in a source file: the message names file, line and task."""


@dataclass(frozen=True)
class Region:
    """Lines begin..end (0-based, both marker lines included) of `path` belong to `task`."""
    task: str
    path: str
    begin: int
    end: int
    indent: str


def find_regions(text: str, path: str = "<string>") -> List[Region]:
    """The task regions of a source text, in order; MarkerError if the markers are wrong.

    >>> src = "def f():\\n    # BEGIN TASK 1.1\\n    return 1\\n    # END TASK 1.1\\n"
    >>> find_regions(src)
    [Region(task='1.1', path='<string>', begin=1, end=3, indent='    ')]
    """
    regions, open_marker = [], None
    lines = text.splitlines()
    comments = _comment_lines(text, path)
    for number, line in enumerate(lines):
        if number not in comments:  # code, or a marker-like line inside a string
            continue
        match = MARKER.match(line)
        if match is None:
            if LOOSE.match(line):
                raise MarkerError(f"{path}:{number + 1}: malformed task marker {line.strip()!r}; "
                                  f"write '# BEGIN TASK N.M' or '# END TASK N.M'")
            continue
        kind, task, indent = match["kind"], match["id"], match["indent"]
        if kind == "BEGIN":
            if open_marker is not None:
                raise MarkerError(
                    f"{path}:{number + 1}: BEGIN TASK {task} is nested inside BEGIN TASK "
                    f"{open_marker[0]} of line {open_marker[1] + 1}; regions do not nest")
            open_marker = (task, number, indent)
            continue
        if open_marker is None:
            raise MarkerError(f"{path}:{number + 1}: END TASK {task} has no BEGIN TASK {task}")
        open_task, start, open_indent = open_marker
        if task != open_task:
            raise MarkerError(f"{path}:{number + 1}: END TASK {task} closes BEGIN TASK "
                              f"{open_task} of line {start + 1}")
        if indent != open_indent:
            raise MarkerError(f"{path}:{number + 1}: END TASK {task} is not indented like its "
                              f"BEGIN on line {start + 1}")
        _check_body(lines[start + 1:number], indent, path, start, task)
        regions.append(Region(task, path, start, number, indent))
        open_marker = None
    if open_marker is not None:
        task, start, _ = open_marker
        raise MarkerError(f"{path}:{start + 1}: BEGIN TASK {task} is never closed by "
                          f"END TASK {task}")
    return regions


def _comment_lines(text: str, path: str) -> set:
    """0-based numbers of the lines that hold nothing but a comment, found by Python's own
    tokenizer, so that a marker quoted inside a string is not taken for a marker."""
    found = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                continue
            if not token.line[:token.start[1]].strip():
                found.add(token.start[0] - 1)
            elif LOOSE.match(token.string):
                raise MarkerError(f"{path}:{token.start[0]}: a task marker must stand on a "
                                  f"line of its own, not after code")
    except (tokenize.TokenError, SyntaxError) as error:
        raise MarkerError(f"{path}: cannot read it as Python to look for task markers: "
                          f"{error}") from None
    return found


def _check_body(body: List[str], indent: str, path: str, start: int, task: str) -> None:
    """A region holds code, and no line of it is indented less than its markers."""
    code = [line for line in body if line.strip()]
    if not code:
        raise MarkerError(f"{path}:{start + 1}: the region of task {task} holds no code")
    for offset, line in enumerate(body):
        if line.strip() and not line.startswith(indent):
            raise MarkerError(f"{path}:{start + offset + 2}: a line of task {task}'s region is "
                              f"indented less than its BEGIN marker")


def stub_line(indent: str, message: str, width: int = LINE_WIDTH) -> str:
    """The statement that replaces a region: raise NotImplementedError("<message>").

    A message too long for one line is split into string literals that Python joins.
    """
    one_line = f"{indent}raise NotImplementedError({_literal(message)})"
    if len(one_line) <= width:
        return one_line
    inner = indent + " " * 4
    room = max(20, width - len(inner) - 3)  # the quotes and the closing parenthesis
    pieces, current = [], ""
    for word in message.split(" "):
        if current and len(current) + len(word) > room:
            pieces.append(current)
            current = ""
        current += word + " "
    pieces.append(current[:-1])
    literals = "\n".join(inner + _literal(piece) for piece in pieces)
    return f"{indent}raise NotImplementedError(\n{literals})"


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid Python literal


def blank_regions(text: str, blank: Callable[[str], bool], messages: Dict[str, str],
                  path: str = "<string>") -> str:
    """`text` with the body of every region whose task satisfies `blank` replaced by a stub.

    `messages[task]` is the text the stub raises. Marker lines stay, so the student sees
    where to write, and the result can be checked again by `find_regions`.
    """
    lines = text.splitlines(keepends=True)
    for region in reversed(find_regions(text, path)):
        if not blank(region.task):
            continue
        newline = "\n" if lines[region.begin].endswith("\n") else ""
        stub = stub_line(region.indent, messages[region.task]) + newline
        lines[region.begin + 1:region.end] = [stub]
    return "".join(lines)
