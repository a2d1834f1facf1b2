"""The files of the repository, and copies of it with some tasks' regions blanked.

The files are the ones git tracks (`git ls-files`): an instructor's untracked notes (an
ANSWERS.md, a scratch solution) never reach a handout or a bundle, and a fresh clone gives
the same tree as a working copy. Without git (an unpacked archive, the autograder's copy)
the folder is walked, skipping the virtual environment, outputs, caches and build products.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable, Dict, Iterable, List

from .markers import MarkerError, Region, find_regions
from .spec import Course

SKIPPED_DIRS = {".git", ".venv", "venv", "out", "build", "dist", "__pycache__", ".pytest_cache",
                ".hypothesis", ".mypy_cache", ".ruff_cache"}


def repo_root() -> Path:
    """The repository this `course` package belongs to (the folder holding course/)."""
    return Path(__file__).resolve().parent.parent


def _git(root: Path, *args: str) -> List[str]:
    listed = subprocess.run(["git", *args, "-z"], cwd=root, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name]


def is_git_checkout(root: Path) -> bool:
    """Whether `root` is the top of a git work tree (not a folder inside another one)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root,
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return False
    return Path(top).resolve() == Path(root).resolve()


def repo_files(root: Path) -> List[str]:
    """Relative POSIX paths of the repository's tracked files, sorted."""
    root = Path(root)
    if is_git_checkout(root):
        names = [name for name in _git(root, "ls-files", "--cached") if (root / name).is_file()]
    else:
        names = [path.relative_to(root).as_posix() for path in root.rglob("*")
                 if path.is_file() and not _skipped(path.relative_to(root))]
    return sorted(set(names))


def untracked_files(root: Path) -> List[str]:
    """Files git neither tracks nor ignores: they are not shipped (`course check` says so)."""
    if not is_git_checkout(root):
        return []
    return sorted(_git(Path(root), "ls-files", "--others", "--exclude-standard"))


def _skipped(relative: Path) -> bool:
    parts = relative.parts
    return any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in parts[:-1]) \
        or relative.suffix == ".pyc"


def scan_regions(root: Path, files: Iterable[str]) -> Dict[str, List[Region]]:
    """TASK and HIDE regions of every Python file that has any; MarkerError on a bad marker."""
    found = {}
    for name in files:
        if not name.endswith(".py"):
            continue
        text = (Path(root) / name).read_text(encoding="utf-8")
        if "TASK" in text or "HIDE" in text:
            regions = find_regions(text, name)
            if regions:
                found[name] = regions
    return found


def write_tree(root: Path, out: Path, files: Iterable[str], course: Course,
               blank: Callable[[str], bool]) -> List[str]:
    """Copy `files` from `root` to `out` as a grading tree: the regions of the tasks `blank`
    selects are stubbed, everything else (hidden tests, references) kept. Returns the
    files that changed; `out` must not exist or be empty."""
    from .handout import plan_tree

    chosen = {task.id for task in course.tasks if blank(task.id)}
    return plan_tree(root, course, list(files), chosen).write(out)


__all__ = ["MarkerError", "repo_root", "repo_files", "untracked_files", "scan_regions",
           "write_tree"]
