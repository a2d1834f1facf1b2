"""`python -m course student OUT_DIR [--assignment N]`: the repository a student starts from.

With `--assignment N` only assignment N's regions are blanked: the other assignments come
solved, so each assignment stands on its own and every test outside it passes. Without it,
every assignment's regions are blanked: the whole course as one skeleton.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

from .handout import plan_tree
from .spec import Assignment, Course
from .tree import repo_files

SETUP = """\
    python3 -m venv .venv
    .venv/bin/pip install -e ".[dev]"
    .venv/bin/python -m pytest -m task_{first} -q    # the tests of one task
    .venv/bin/python -m course grade{flag}    # your score, task by task"""


ORDER_NOTE = """
Here every assignment is blanked at once. Work them in order: an assignment's tests need only
its own and earlier tasks (assignments 1 and 2 check each op's backward alone, with
`gradcheck_op`, before assignment 3 writes the graph walk), while other tests of the
repository wait for the later assignments they use.
"""


def readme_note(assignments: List[Assignment], flag: str) -> str:
    """The note put at the top of the student's README.md."""
    names = ", ".join(f"{a.number} ({a.title})" for a in assignments)
    rows = []
    for assignment in assignments:
        for task in assignment.tasks:
            files = ", ".join(f"`{f}`" for f in task.files)
            rows.append(f"| {task.id} | {task.title} | {files} | `pytest -m {task.marker}` |"
                        f" {task.points:g} |")
    docs = "\n".join(f"- assignment {a.number}: `{a.doc}`" for a in assignments)
    first = assignments[0].tasks[0].marker.removeprefix("task_")
    title = "every assignment" if len(assignments) > 1 else f"assignment {names}"
    return f"""# Student version: {title}

The code of the tasks below has been taken out. Each missing piece sits between a
`# BEGIN TASK N.M` and an `# END TASK N.M` comment and raises
`NotImplementedError("Task N.M: ...")` until you write it; everything else is complete.
Keep the two marker comments and write your code between them.

Do the tasks in order: a task's tests may use the tasks before it, and then stop at *their*
NotImplementedError first. Other tests of the repository that use the missing code (training
a network needs every op's backward) fail the same way until the task they need is done.
{ORDER_NOTE if len(assignments) > 1 else ""}
Set up and run (Python 3.10+):

{SETUP.format(first=first, flag=flag)}

| task | what | where | its tests | points |
|---|---|---|---|---|
{chr(10).join(rows)}

Read the assignment's page first, and `docs/students.md` (set-up, running one task's tests,
submitting):
{docs}

Each task also has hidden tests, not in this copy, that run when your work is graded; the
assignment's page says how its points split between public and hidden tests.

---

"""


def make_student_version(root: Path, out: Path, course: Course,
                         number: Optional[int] = None) -> List[str]:
    """Write the student repository to `out`; return the files whose regions were blanked."""
    assignments = course.select(number)
    blanked = {task.id for assignment in assignments for task in assignment.tasks}
    changed = plan_tree(root, course, repo_files(root), blanked, student=True).write(out)
    readme = Path(out) / "README.md"
    original = readme.read_text(encoding="utf-8") if readme.exists() else ""
    flag = "" if number is None else f" --assignment {number}"
    readme.write_text(readme_note(assignments, flag) + original, encoding="utf-8")
    return changed
