"""Mutation testing: which mutants are made, and that the worker kills, spares and times out
the right ones (on the tiny course, whose task 1.2 has a weakly tested guard and a loop)."""
import ast

import pytest

from course.markers import find_regions
from course.mutation import generate, mutated_module
from course.mutation_report import judge
from course.mutation_run import run_mutation
from course.spec import parse_course
from course.tree import repo_files, scan_regions
from course_helpers import TOML, course_of, dedent, make_repo

SOURCE = dedent("""
    import numpy as np


    class Op:
        def backward(self, g, a, b):
            # BEGIN TASK 1.1
            total = a - b
            total += g @ b.T
            if not self.keep:
                total = np.sum(total, axis=0, keepdims=True)
            return total, -g
            # END TASK 1.1

        def other(self, x):
            return x - 1
    """)


def mutants_of(tmp_path, source=SOURCE):
    (tmp_path / "op.py").write_text(source)
    regions = {"op.py": find_regions(source, "op.py")}
    return generate(tmp_path, "1.1", regions)


def test_each_operator_makes_its_mutants_inside_the_region_only(tmp_path):
    ids = [m.id for m in mutants_of(tmp_path)]
    expected = [
        "Op.backward: `a - b` -> `a + b`", "Op.backward: `a - b` -> `a`",
        "Op.backward: `a - b` -> `-b`", "Op.backward: `a - b` -> `b - a`",
        "Op.backward: `total += g @ b.T` -> `total = g @ b.T`",
        "Op.backward: `total += g @ b.T` -> `total -= g @ b.T`",
        "Op.backward: delete `total += g @ b.T`",
        "Op.backward: `g @ b.T` -> `g * b.T`", "Op.backward: `g @ b.T` -> `b.T @ g`",
        "Op.backward: `b.T` -> `b`",
        "Op.backward: `not self.keep` -> `self.keep`",
        "Op.backward: `np.sum(total, axis=0, keepdims=True)` -> `np.sum(total, keepdims=True)`",
        "Op.backward: `np.sum(total, axis=0, keepdims=True)` -> `np.sum(total, axis=0)`",
        "Op.backward: `0` -> `1`", "Op.backward: `0` -> `-1`",
        "Op.backward: `True` -> `False`",
        "Op.backward: `(total, -g)` -> `(-g, total)`", "Op.backward: `-g` -> `g`"]
    for name in expected:
        assert name in ids, name
    assert not any(name.startswith("Op.other") for name in ids)
    assert len(ids) == len(set(ids))


def test_mutants_that_come_out_the_same_are_made_once(tmp_path):
    # `x * x` swapped is `x * x`: no mutant; dropping either factor gives `x`: one mutant
    ids = [m.id for m in mutants_of(tmp_path, dedent("""
        def f(x):
            # BEGIN TASK 1.1
            return x * x
            # END TASK 1.1
        """))]
    assert ids == ["f: `x * x` -> `x / x`", "f: `x * x` -> `x`"]


def test_a_mutant_is_rebuilt_exactly_from_its_address(tmp_path):
    for mutant in mutants_of(tmp_path)[:5]:
        module = mutated_module(tmp_path, mutant)
        assert ast.unparse(module) != ast.unparse(ast.parse(SOURCE))
        compile(module, "op.py", "exec")


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    root = make_repo(tmp_path_factory.mktemp("mutation") / "repo", git=False)
    course = course_of(root)
    work = run_mutation(root, course, course.tasks, scan_regions(root, repo_files(root)), jobs=1)
    return course, {w.task.id: w for w in work}


def test_the_worker_kills_spares_and_times_out_the_right_mutants(tiny_results):
    course, work = tiny_results
    area, volume = work["1.1"], work["1.2"]
    assert area.baseline["status"] == volume.baseline["status"] == "survived"
    assert area.score == 1.0                 # public and hidden tests see every change
    statuses = {m.id: volume.results[m.id]["status"] for m in volume.mutants}
    # the guard `h < 0` is never exercised by the tests: its mutants survive
    assert statuses["volume: `h < 0` -> `h <= 0`"] == "survived"
    # an endless loop is a kill: the student's run would time out too
    assert statuses["volume: `layers -= 1` -> `layers = 1`"] == "timeout"
    assert statuses["volume: `total += area(r)` -> `total -= area(r)`"] == "killed"
    assert 0 < volume.score < 1


def test_scores_below_the_threshold_warn_until_enforced_and_equivalents_are_excused(
        tiny_results):
    course, work = tiny_results
    problems, warnings, survivors = judge(course, list(work.values()))
    assert problems == []
    assert any(w.startswith("task 1.2: its tests kill ") and w.endswith("below 90%")
               for w in warnings)
    assert "task 1.2: pkg/solids.py:6: volume: `h < 0` -> `h <= 0`" in survivors
    strict = parse_course(TOML.replace("[course]\n", "[course]\nenforce_mutation_score = true\n")
                          + dedent("""

        [[assignment.task.equivalent_mutant]]
        mutant = "volume: `h < 0` -> `h <= 0`"
        reason = "h = 0 is not tested"

        [[assignment.task.equivalent_mutant]]
        mutant = "volume: `total += area(r)` -> `total -= area(r)`"
        reason = "wrongly listed: the tests kill it"
        """))
    for w in work.values():
        w.task = strict.task(w.task.id)
    problems, warnings, survivors = judge(strict, list(work.values()))
    assert "task 1.2: pkg/solids.py:6: volume: `h < 0` -> `h <= 0`" not in survivors
    assert ("task 1.2: the mutant 'volume: `total += area(r)` -> `total -= area(r)`', listed as "
            "equivalent, is killed by its tests: remove it") in problems
    assert any(p.startswith("task 1.2: its tests kill ") for p in problems)
    for w in work.values():
        w.task = course.task(w.task.id)
