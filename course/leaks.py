"""Finding a solution's code elsewhere: normalized logical lines and blocks of them.

Code is compared as **normalized tokens**, one logical line at a time (a statement spread
over several lines is one line). Names a copier can rename freely become `ID` (variables,
parameters, functions, modules such as `np`); what carries meaning stays: keywords,
builtins (`sum`, `zip`), attribute names (`.T`, `.append`), keyword-argument names
(`axis=`) and operators. Every number becomes `NUM`, every string `STR`; comments,
whitespace and line breaks disappear. So `order.append(node)` and `out.append(t)  # done`
are the same line, and `a @ b.T` is not `a * b.T`.

A **block** is `min_lines` consecutive logical lines holding at least `min_tokens` tokens
(course/assignments.toml, [course] leak_min_lines and leak_min_tokens). Python files are
read with Python's tokenizer, and the text inside their multi-line strings (docstrings,
doctests, code kept in a string) as text too; any other text file (Markdown pages,
notebooks kept as text) with a small lexer of Python-like tokens, so code quoted in a page
counts as well.
"""
from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from dataclasses import dataclass
from typing import Dict, Iterable, List, Sequence, Tuple

BUILTINS = frozenset(dir(builtins))
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT,
           tokenize.ENCODING, tokenize.ENDMARKER, getattr(tokenize, "TYPE_COMMENT", -1)}
TEXT_TOKEN = re.compile(r"""
    (?P<string>'[^'\n]*'|"[^"\n]*")
  | (?P<number>\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?j?|\.\d+(?:[eE][-+]?\d+)?)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<op>\*\*=|//=|>>=|<<=|->|:=|\*\*|//|==|!=|<=|>=|\+=|-=|\*=|/=|@=|%=|&=|\|=|\^=|<<|>>
          |[-+*/%@<>=()\[\]{},:.;&|^~])
  | (?P<comment>\#.*)
""", re.VERBOSE)
PROMPT = re.compile(r"^\s*(>>>|\.\.\.)( |$)")


@dataclass(frozen=True)
class Line:
    """A logical line: its normalized tokens and the physical lines (1-based) it spans."""
    first: int
    last: int
    tokens: Tuple[str, ...]


def normalize(kinds_and_texts: Sequence[Tuple[str, str]]) -> Tuple[str, ...]:
    """Normalize one logical line given as (kind, text) pairs, kind in name/number/string/op."""
    out, depth = [], 0
    for index, (kind, text) in enumerate(kinds_and_texts):
        if kind == "op":
            depth += text in "([{"
            depth -= text in ")]}"
            out.append(text)
        elif kind == "number":
            out.append("NUM")
        elif kind == "string":
            out.append("STR")
        elif keyword.iskeyword(text) or text in BUILTINS:
            out.append(text)
        else:
            before = kinds_and_texts[index - 1][1] if index else ""
            after = kinds_and_texts[index + 1][1] if index + 1 < len(kinds_and_texts) else ""
            attribute = before == "."
            argument_name = depth > 0 and after == "=" and before in ("(", ",")
            out.append(text if attribute or argument_name else "ID")
    return tuple(out)


def python_streams(text: str) -> List[List[Line]]:
    """The logical lines of Python source, then one stream per multi-line string's text.

    A file that does not tokenize (a fragment) is read as text instead.
    """
    streams, current, first, strings = [[]], [], None, []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NEWLINE:
                if current:
                    streams[0].append(Line(first, token.start[0], normalize(current)))
                current, first = [], None
                continue
            if token.type in SKIPPED:
                continue
            kind = {tokenize.NAME: "name", tokenize.NUMBER: "number",
                    tokenize.STRING: "string"}.get(token.type, "op")
            if token.type == tokenize.STRING and "\n" in token.string:
                strings.append((token.start[0], token.string))
            if first is None:
                first = token.start[0]
            current.append((kind, token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text_streams(text)
    if current:
        streams[0].append(Line(first, first, normalize(current)))
    for start, literal in strings:
        streams += text_streams(literal, start)
    return streams


def text_streams(text: str, start: int = 1) -> List[List[Line]]:
    """The Python-like logical lines of any text: brackets left open join lines (at most 20,
    so a stray parenthesis in prose cannot swallow a page); doctest prompts are dropped."""
    lines, current, first, depth = [], [], None, 0
    for number, raw in enumerate(text.splitlines(), start):
        raw = PROMPT.sub("", raw)
        for match in TEXT_TOKEN.finditer(raw):
            kind = match.lastgroup
            if kind == "comment":
                break
            token = match.group()
            if kind == "op":
                depth = max(0, depth + (token in "([{") - (token in ")]}"))
            if first is None:
                first = number
            current.append((kind, token))
        if current and (depth == 0 or number - first >= 20):
            lines.append(Line(first, number, normalize(current)))
            current, first, depth = [], None, 0
    if current:
        lines.append(Line(first, first, normalize(current)))
    return [lines]


def streams_of(path: str, text: str) -> List[List[Line]]:
    return python_streams(text) if path.endswith(".py") else text_streams(text)


def block_key(lines: Sequence[Line]) -> Tuple[str, ...]:
    key = []
    for line in lines:
        key += line.tokens
        key.append("\n")
    return tuple(key)


def size(lines: Sequence[Line]) -> int:
    """A block's size in tokens, each line's end counted as one."""
    return sum(len(line.tokens) + 1 for line in lines)


def blocks(lines: Sequence[Line], length: int, min_tokens: int) -> Iterable[Tuple[int, tuple]]:
    """(index, key) of every window of `length` lines with at least `min_tokens` tokens."""
    for index in range(len(lines) - length + 1):
        window = lines[index:index + length]
        if size(window) >= min_tokens:
            yield index, block_key(window)


@dataclass(frozen=True)
class Match:
    """Lines first..last of `path` repeat lines source_first..source_last of the solution."""
    path: str
    first: int
    last: int
    source_first: int
    source_last: int


class Index:
    """Every block of a set of files, to look solution blocks up in."""

    def __init__(self, texts: Dict[str, str], min_lines: int, min_tokens: int):
        self.min_lines, self.min_tokens = min_lines, min_tokens
        self.where: Dict[tuple, List[Tuple[str, int, int]]] = {}
        for path, text in texts.items():
            self.add(path, streams_of(path, text))

    def add(self, path: str, streams: List[List[Line]]) -> None:
        """Index the blocks of one file, given as its streams of logical lines: windows of
        every length up to min_lines, so that a solution shorter than that is found whole."""
        for stream in streams:
            for length in range(1, self.min_lines + 1):
                for index, key in blocks(stream, length, self.min_tokens):
                    window = stream[index:index + length]
                    self.where.setdefault(key, []).append((path, window[0].first,
                                                           window[-1].last))

    def find(self, solution: Sequence[Line]) -> List[Match]:
        """Where blocks of `solution` (its logical lines) appear, overlapping hits merged: its
        windows of min_lines lines, or the whole of it when it is shorter."""
        hits, length = [], min(self.min_lines, len(solution))
        for index, key in blocks(solution, length, self.min_tokens):
            window = solution[index:index + length]
            for path, first, last in self.where.get(key, []):
                hits.append(Match(path, first, last, window[0].first, window[-1].last))
        return merge(hits)


def merge(hits: List[Match]) -> List[Match]:
    """Overlapping or touching hits in one file become one match."""
    merged: List[Match] = []
    for hit in sorted(hits, key=lambda h: (h.path, h.first, h.last)):
        last = merged[-1] if merged else None
        if last and last.path == hit.path and hit.first <= last.last + 1:
            merged[-1] = Match(hit.path, last.first, max(last.last, hit.last),
                               min(last.source_first, hit.source_first),
                               max(last.source_last, hit.source_last))
        else:
            merged.append(hit)
    return merged


def lines_between(text: str, first: int, last: int) -> List[Line]:
    """The logical code lines of the Python `text` that lie within lines first..last."""
    return [line for line in python_streams(text)[0] if line.first >= first and
            line.last <= last]
