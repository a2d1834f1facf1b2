"""course: this repository as the base of a course on backprop and residual networks.

    python -m course student OUT_DIR [--assignment N]   # a student's copy, tasks blanked
    python -m course grade [--assignment N] [--json results.json]
    python -m course check                              # every task blanks, fails, passes
    python -m course mutate [--task N.M]                # mutation scores and survivors
    python -m course autograder --assignment N OUT.zip  # a Gradescope bundle
    python -m course selftest --assignment N            # the bundle on six submissions
    python -m course docs                               # the pages' points tables

The assignments live in course/assignments.toml; solution regions in the source sit between
`# BEGIN TASK N.M` and `# END TASK N.M` comments; the tests of a task carry the pytest marker
`task_N_M` (registered in tests/conftest.py from the toml), so `pytest -m task_1_2` runs them.
"""
from .spec import Assignment, Course, SpecError, Task, load_course, marker_name

__all__ = ["Assignment", "Course", "SpecError", "Task", "load_course", "marker_name"]
