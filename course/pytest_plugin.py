"""A pytest plugin for the course tools: `python -m pytest -p course.pytest_plugin ...`.

With the environment variable COURSE_RESULTS set to a path, it writes there, as JSON, every
test's outcome, its task markers and the message it failed with; collection errors too. With
COURSE_SELECT set to a JSON object {"tasks": [...], "unmarked_in": [...], "assignment": [...]}
it keeps only the tests marked with one of `tasks`, plus the tests of the files `unmarked_in`
("*": every file) that carry no marker of the tasks listed in `assignment`. Works with
pytest-xdist: outcomes and markers travel with each test's report, and only the controller
writes the file.
"""
from __future__ import annotations

import json
import os
import re

import pytest

RESULTS_ENV = "COURSE_RESULTS"
SELECT_ENV = "COURSE_SELECT"
TASK_MARKER = re.compile(r"^task_\d+_\d+$")
RANK = {"passed": 0, "skipped": 1, "failed": 2}


def task_markers(names) -> list:
    return sorted(name for name in names if TASK_MARKER.match(name))


def _crash_message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return str(report.longrepr[2])
    text = str(report.longrepr or "").strip()
    return text.splitlines()[-1] if text else ""


def _keep(item, select: dict) -> bool:
    markers = set(task_markers(mark.name for mark in item.iter_markers()))
    if markers & set(select.get("tasks", [])):
        return True
    files = select.get("unmarked_in", [])
    in_files = files == "*" or item.nodeid.split("::")[0] in files
    return in_files and not markers & set(select.get("assignment", []))


class Recorder:
    def __init__(self, path: str, select) -> None:
        self.path, self.select = path, select
        self.tests, self.collected, self.collect_errors = {}, {}, {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items) -> None:
        if self.select is not None:
            kept = [item for item in items if _keep(item, self.select)]
            dropped = [item for item in items if not _keep(item, self.select)]
            if dropped:
                config.hook.pytest_deselected(items=dropped)
            items[:] = kept
        for item in items:
            self.collected[item.nodeid] = task_markers(mark.name for mark in item.iter_markers())

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.collect_errors[report.nodeid or "<session>"] = str(report.longrepr)[-3000:]

    def pytest_runtest_logreport(self, report) -> None:
        entry = self.tests.setdefault(report.nodeid, {
            "outcome": "passed", "tasks": task_markers(report.keywords), "message": "",
            "details": "", "duration": 0.0})
        entry["duration"] += report.duration
        outcome = "failed" if report.failed else report.outcome
        if RANK[outcome] > RANK[entry["outcome"]]:
            entry["outcome"] = outcome
            entry["message"] = _crash_message(report)
            if report.failed:
                entry["details"] = report.longreprtext[-3000:]

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        if hasattr(session.config, "workerinput"):  # an xdist worker: the controller writes
            return
        with open(self.path, "w", encoding="utf-8") as handle:
            json.dump({"exitstatus": int(exitstatus), "tests": self.tests,
                       "collected": self.collected, "collect_errors": self.collect_errors},
                      handle, indent=1)


def pytest_configure(config) -> None:
    path = os.environ.get(RESULTS_ENV)
    if path:
        select = os.environ.get(SELECT_ENV)
        config.pluginmanager.register(Recorder(path, json.loads(select) if select else None),
                                      "course-recorder")
