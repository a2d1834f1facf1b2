"""Solution regions in the source, and the stubs that replace them in a student's copy.

A region is a block of lines between two comment lines of the same indentation, a BEGIN
marker and an END marker carrying the task id (`# BEGIN TASK 1.2` ... `# END TASK 1.2`).
The student version keeps both marker lines and replaces what is between them by one
statement at the marker's indentation:

    raise NotImplementedError("Task 1.2: <what to implement>")

A HIDE region (`# BEGIN HIDE 1.2` ... `# END HIDE 1.2`) is code that is not the task but
would give it away (a hand-written reference of the same formula); the handout of task 1.2
blanks it the same way, with a stub saying it was left out. Regions do not nest. A marker that is malformed, unclosed, closed by another task's END, or
that encloses no code is a MarkerError naming the file, the line and the task.
"""
from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import Callable, Dict, List

MARKER = re.compile(r"^(?P<indent>[ \t]*)# (?P<kind>BEGIN|END) (?P<what>TASK|HIDE) "
                    r"(?P<id>\d+\.\d+)[ \t]*$")
LINE_WIDTH = 99  # a longer stub is split over lines
# anything that looks like an attempt at a marker, so a typo is an error and not ignored
LOOSE = re.compile(r"^[ \t]*#\s*(BEGIN|END)\s+(TASK|HIDE)\b", re.IGNORECASE)


class MarkerError(ValueError):
    """A marker problem in a source file: the message names file, line and task."""


@dataclass(frozen=True)
class Region:
    """Lines begin..end (0-based, both marker lines included) of `path` belong to `task`;
    `hide` for a HIDE region (a give-away of the task, not its code)."""
    task: str
    path: str
    begin: int
    end: int
    indent: str
    hide: bool = False

    @property
    def label(self) -> str:
        return f"{'HIDE' if self.hide else 'TASK'} {self.task}"


def find_regions(text: str, path: str = "<string>") -> List[Region]:
    """The TASK and HIDE regions of a text, in order; MarkerError if the markers are wrong.

    >>> src = "def f():\\n    # BEGIN TASK 1.1\\n    return 1\\n    # END TASK 1.1\\n"
    >>> find_regions(src)
    [Region(task='1.1', path='<string>', begin=1, end=3, indent='    ', hide=False)]
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
                                  f"write '# BEGIN TASK N.M' or '# END TASK N.M' (or HIDE)")
            continue
        kind, label, indent = match["kind"], f"{match['what']} {match['id']}", match["indent"]
        if kind == "BEGIN":
            if open_marker is not None:
                raise MarkerError(
                    f"{path}:{number + 1}: BEGIN {label} is nested inside BEGIN "
                    f"{open_marker[0]} of line {open_marker[1] + 1}; regions do not nest")
            open_marker = (label, number, indent)
            continue
        if open_marker is None:
            raise MarkerError(f"{path}:{number + 1}: END {label} has no BEGIN {label}")
        open_label, start, open_indent = open_marker
        if label != open_label:
            raise MarkerError(f"{path}:{number + 1}: END {label} closes BEGIN "
                              f"{open_label} of line {start + 1}")
        if indent != open_indent:
            raise MarkerError(f"{path}:{number + 1}: END {label} is not indented like its "
                              f"BEGIN on line {start + 1}")
        region = Region(match["id"], path, start, number, indent, match["what"] == "HIDE")
        _check_body(lines[start + 1:number], region)
        regions.append(region)
        open_marker = None
    if open_marker is not None:
        label, start, _ = open_marker
        raise MarkerError(f"{path}:{start + 1}: BEGIN {label} is never closed by END {label}")
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


def _check_body(body: List[str], region: Region) -> None:
    """A region holds code, and no line of it is indented less than its markers."""
    where, kind = f"{region.path}:{region.begin + 1}", "HIDE region" if region.hide else "region"
    if not any(line.strip() for line in body):
        raise MarkerError(f"{where}: the {kind} of task {region.task} holds no code")
    for offset, line in enumerate(body):
        if line.strip() and not line.startswith(region.indent):
            raise MarkerError(f"{region.path}:{region.begin + offset + 2}: a line of task "
                              f"{region.task}'s {kind} is indented less than its BEGIN marker")


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


def hide_message(task_id: str) -> str:
    """What a blanked HIDE region raises."""
    return f"left out of the handout: this code would give task {task_id} away"


def blank_regions(text: str, blank: Callable[[Region], bool], messages: Dict[str, str],
                  path: str = "<string>") -> str:
    """`text` with the body of every region that `blank` selects replaced by a stub.

    `messages[task]` is the text a task region's stub raises (a HIDE region's says it was
    left out). Marker lines stay, so the student sees where to write, and the result can be
    checked again by `find_regions`.
    """
    lines = text.splitlines(keepends=True)
    for region in reversed(find_regions(text, path)):
        if not blank(region):
            continue
        newline = "\n" if lines[region.begin].endswith("\n") else ""
        message = hide_message(region.task) if region.hide else messages[region.task]
        stub = stub_line(region.indent, message) + newline
        lines[region.begin + 1:region.end] = [stub]
    return "".join(lines)
