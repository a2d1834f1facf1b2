"""Shared test helpers.

Optional tools (PyTorch, a Graphviz renderer, Chromium) make a test skip with a visible reason
on a student's machine; in CI (TINYGRAD_RES_REQUIRE_OPTIONAL=1, set by .ci/run) a missing tool is
a failure, so CI proves the parity and browser tests really ran.
"""
import importlib
import os

import numpy as np
import pytest

REQUIRE_OPTIONAL = os.environ.get("TINYGRAD_RES_REQUIRE_OPTIONAL") == "1"


def missing_optional(reason: str):
    """Skip (on a student's machine) or fail (in CI) because an optional tool is missing."""
    if REQUIRE_OPTIONAL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason, allow_module_level=True)  # also when a whole test module needs the tool


def import_optional(module: str, install_hint: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        missing_optional(f"{module} is not installed ({install_hint})")


@pytest.fixture
def torch():
    """The torch module, or skip: `pip install torch==2.13.0` (CPU build)."""
    return import_optional("torch", "pip install torch==2.13.0")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pytest_configure(config):
    """One marker per course task (`pytest -m task_1_2`), read from course/assignments.toml."""
    from course import load_course

    for task in load_course().tasks:
        config.addinivalue_line("markers", f"{task.marker}: Task {task.id}: {task.title}")
    config.addinivalue_line("markers", "notebooks: checks of the executed notebooks; run only "
                                       "when selected (-m notebooks, make notebooks-test)")


def pytest_collection_modifyitems(config, items):
    """Leave the notebook checks out unless `-m` names them: `make test` stays quick."""
    if "notebooks" in (config.getoption("markexpr") or ""):
        return
    left_out = [item for item in items if item.get_closest_marker("notebooks")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("notebooks")]
