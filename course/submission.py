"""A student's submission: find its task files wherever they are, and check each one loads.

Students upload their repository as it is, a folder holding it, or just the task files:
`find_files` looks for each task file (say tinygrad_res/ops/linalg.py) at its own path, then
anywhere as `.../tinygrad_res/ops/linalg.py` (a nested folder), then by its name alone
(`linalg.py`, a flat upload), the candidate sharing most trailing folders winning. Two equally
good candidates are ambiguous: an error rather than a guess.

`load_problems` then checks, in the grading tree the files were copied into, that each one
compiles and imports, each import in a subprocess with a time limit (a loop at module level
must not hang the grader). A broken file's problem is one line naming the file, the error and
the line, and the file is put back to its stub so that the other tasks can be graded.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

SKIPPED_PARTS = {"__MACOSX", "__pycache__", ".git", ".venv", "venv", "node_modules"}
IMPORT_TIMEOUT = 60.0
MARK = "@@course-import "
IMPORT_CHECK = """
import importlib, json, sys, traceback
name, tree, files = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
try:
    importlib.import_module(name)
    result = {"ok": True}
except BaseException as error:
    origin = None
    for frame in traceback.extract_tb(error.__traceback__):
        for path in files:
            if frame.filename.replace("\\\\", "/").endswith(path):
                origin = (path, frame.lineno)
    if isinstance(error, SyntaxError) and error.filename:
        origin = next(((p, error.lineno) for p in files if error.filename.endswith(p)), origin)
    line = (str(error).splitlines() or [""])[0][:300]
    result = {"ok": False, "error": f"{type(error).__name__}: {line}", "origin": origin}
print(MARK + json.dumps(result), flush=True)
""".replace("MARK", repr(MARK))


@dataclass
class Found:
    """Where a task file was found in the submission (None: not found), or why not."""
    wanted: str
    path: Optional[Path]
    problem: str = ""


def submitted_files(submission: Path) -> List[str]:
    """Relative POSIX paths of the Python files of a submission, junk folders skipped."""
    submission = Path(submission)
    if not submission.is_dir():
        return []
    return sorted(p.relative_to(submission).as_posix() for p in submission.rglob("*.py")
                  if p.is_file() and not SKIPPED_PARTS & set(p.relative_to(submission).parts)
                  and not any(part.startswith(".") for part in p.relative_to(submission).parts))


def _shared_tail(a: str, b: str) -> int:
    shared = 0
    for x, y in zip(reversed(a.split("/")), reversed(b.split("/"))):
        if x != y:
            break
        shared += 1
    return shared


def find_files(submission: Path, wanted: List[str]) -> Dict[str, Found]:
    """Where each of the `wanted` task files is in `submission`."""
    present = submitted_files(submission)
    found = {}
    for path in wanted:
        name = path.rsplit("/", 1)[-1]
        candidates = [p for p in present if p.rsplit("/", 1)[-1] == name]
        if not candidates:
            found[path] = Found(path, None, f"{path}: not found in your submission (upload "
                                            f"your repository, or at least this file)")
            continue
        best = max(_shared_tail(c, path) for c in candidates)
        top = [c for c in candidates if _shared_tail(c, path) == best]
        shortest = min(len(c.split("/")) for c in top)
        top = [c for c in top if len(c.split("/")) == shortest]
        if len(top) > 1:
            found[path] = Found(path, None, f"{path}: your submission has several files that "
                                            f"could be it ({', '.join(top)}); keep only one")
        else:
            found[path] = Found(path, Path(submission) / top[0])
    return found


def module_name(path: str) -> str:
    parts = path[:-3].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def compile_problem(path: str, text: str) -> str:
    """One line saying why `text` is not valid Python, or ''."""
    try:
        compile(text, path, "exec")
    except SyntaxError as error:
        return f"{path}: {type(error).__name__} at line {error.lineno}: {error.msg}"
    except ValueError as error:  # null bytes
        return f"{path}: not Python source ({error})"
    return ""


def _import(tree: Path, path: str, files: List[str]) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree)] + [p for p in [env.get("PYTHONPATH")] if p])
    try:
        done = subprocess.run([sys.executable, "-c", IMPORT_CHECK, module_name(path), str(tree),
                               json.dumps(files)], cwd=tree, env=env, capture_output=True,
                              text=True, timeout=IMPORT_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"importing it did not finish within "
                                      f"{IMPORT_TIMEOUT:g} s (a loop at module level?)",
                "origin": [path, None]}
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    return {"ok": False, "error": f"importing it ended the Python process (exit code "
                                  f"{done.returncode})", "origin": [path, None]}


def load_problems(tree: Path, files: List[str], stubs: Dict[str, str]) -> Dict[str, str]:
    """{file: one line} for the submitted `files` (copied into `tree`) that do not compile
    or import; each broken file is put back to its stub (`stubs[file]`, its text)."""
    problems = {}
    for path in files:
        text = (tree / path).read_text(encoding="utf-8", errors="replace")
        problem = compile_problem(path, text)
        if problem:
            problems[path] = problem
            (tree / path).write_text(stubs[path], encoding="utf-8")
    for _ in range(len(files) + 1):  # a file found broken can make others look broken
        remaining = [p for p in files if p not in problems]
        failed = {}
        for path in remaining:
            result = _import(tree, path, remaining)
            if not result["ok"]:
                origin, line = (result.get("origin") or [path, None])
                failed[origin if origin in remaining else path] = (result["error"], line)
                break
        if not failed:
            return problems
        for path, (error, line) in failed.items():
            where = f" (line {line})" if line else ""
            problems[path] = f"{path}: cannot be imported{where}: {error}"
            (tree / path).write_text(stubs[path], encoding="utf-8")
    return problems
