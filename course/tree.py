"""The files of the repository, and copies of it with some tasks' regions blanked.

The files are what git would ship: tracked files plus untracked ones that are not ignored
(`git ls-files --cached --others --exclude-standard`), so a fresh clone and a working copy
give the same tree. Without git (an unpacked archive) the folder is walked, skipping the
virtual environment, outputs, caches and build products.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable, Dict, Iterable, List

from .markers import MarkerError, Region, blank_regions, find_regions
from .spec import Course

SKIPPED_DIRS = {".git", ".venv", "venv", "out", "build", "dist", "__pycache__", ".pytest_cache",
                ".hypothesis", ".mypy_cache", ".ruff_cache"}


def repo_root() -> Path:
    """The repository this `course` package belongs to (the folder holding course/)."""
    return Path(__file__).resolve().parent.parent


def repo_files(root: Path) -> List[str]:
    """Relative POSIX paths of the repository's files, sorted."""
    root = Path(root)
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
        names = [name for name in listed if name and (root / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        names = [path.relative_to(root).as_posix() for path in root.rglob("*")
                 if path.is_file() and not _skipped(path.relative_to(root))]
    return sorted(set(names))


def _skipped(relative: Path) -> bool:
    parts = relative.parts
    return any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in parts[:-1])


def scan_regions(root: Path, files: Iterable[str]) -> Dict[str, List[Region]]:
    """Regions of every Python file that has any; MarkerError on the first bad marker."""
    found = {}
    for name in files:
        if not name.endswith(".py"):
            continue
        text = (Path(root) / name).read_text(encoding="utf-8")
        if "TASK" in text:
            regions = find_regions(text, name)
            if regions:
                found[name] = regions
    return found


def write_tree(root: Path, out: Path, files: Iterable[str], course: Course,
               blank: Callable[[str], bool]) -> List[str]:
    """Copy `files` from `root` to `out`, blanking the regions of the tasks `blank` selects.

    Returns the files whose regions were blanked. `out` must not exist or be empty.
    """
    root, out = Path(root), Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"course: {out} exists and is not empty; choose a new folder")
    messages = {task.id: task.stub_message for task in course.tasks}

    def chosen(task_id: str) -> bool:
        return task_id in messages and blank(task_id)

    changed = []
    for name in files:
        source, target = root / name, out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".py"):
            text = source.read_text(encoding="utf-8")
            if "TASK" in text:
                blanked = blank_regions(text, chosen, messages, name)
                if blanked != text:
                    target.write_text(blanked, encoding="utf-8")
                    shutil.copymode(source, target)
                    changed.append(name)
                    continue
        shutil.copy2(source, target)
    return changed


__all__ = ["MarkerError", "repo_root", "repo_files", "scan_regions", "write_tree"]
