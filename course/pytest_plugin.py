"""A pytest plugin for the course tools: `python -m pytest -p course.pytest_plugin ...`.

With the environment variable COURSE_RESULTS set to a path, it appends there, one JSON event
a line as they happen, the tests collected with their task markers, every test's outcome and
the one-line message it failed with, collection errors, and the exit status at the end: a run
killed half way (a hang, a crash) still leaves what it did. With
COURSE_SELECT set to a JSON object {"tasks": [...], "unmarked_in": [...], "assignment": [...]}
it keeps only the tests marked with one of `tasks`, plus the tests of the files `unmarked_in`
("*": every file) that carry no marker of the tasks listed in `assignment`. With
COURSE_GRADING set to {"order": [task markers]} it runs the tests task by task in that order,
and after a test times out, fails the rest of its task without running them (see Grading). Works with
pytest-xdist: outcomes and markers travel with each test's report, which the controller
writes; the workers write what they collected.
"""
from __future__ import annotations

import json
import os
import re

import pytest

RESULTS_ENV = "COURSE_RESULTS"
SELECT_ENV = "COURSE_SELECT"
GRADING_ENV = "COURSE_GRADING"
TIMEOUT_MARK = "Timeout (>"  # pytest-timeout's failure message
TASK_MARKER = re.compile(r"^task_\d+_\d+$")
RANK = {"passed": 0, "skipped": 1, "failed": 2}


def task_markers(names) -> list:
    return sorted(name for name in names if TASK_MARKER.match(name))


MESSAGE_WIDTH = 300


def one_line(text: str) -> str:
    """The first non-empty line of `text`, cut to MESSAGE_WIDTH characters."""
    line = next((line.strip() for line in str(text).splitlines() if line.strip()), "")
    return line if len(line) <= MESSAGE_WIDTH else line[:MESSAGE_WIDTH - 3] + "..."


def _crash_message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return one_line(crash.message)
    if isinstance(report.longrepr, tuple):  # a skip: (file, line, reason)
        return one_line(report.longrepr[2])
    text = str(report.longrepr or "").strip()
    return one_line(text.splitlines()[-1]) if text else ""


def _keep(item, select: dict) -> bool:
    markers = set(task_markers(mark.name for mark in item.iter_markers()))
    if markers & set(select.get("tasks", [])):
        return True
    files = select.get("unmarked_in", [])
    in_files = files == "*" or item.nodeid.split("::")[0] in files
    return in_files and not markers & set(select.get("assignment", []))


class Recorder:
    def __init__(self, path: str, select, config) -> None:
        self.path, self.select, self.config = path, select, config
        self.tests = {}

    def _write(self, config, event: dict) -> None:
        # with xdist, a worker writes what it collected, the controller everything else
        if hasattr(config, "workerinput") and event["event"] != "collected":
            return
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(event) + "\n")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items) -> None:
        if self.select is not None:
            kept = [item for item in items if _keep(item, self.select)]
            dropped = [item for item in items if not _keep(item, self.select)]
            if dropped:
                config.hook.pytest_deselected(items=dropped)
            items[:] = kept
        self._write(config, {"event": "collected", "collected": {
            item.nodeid: task_markers(mark.name for mark in item.iter_markers())
            for item in items}})

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self._write(self.config, {"event": "collect_error", "nodeid": report.nodeid or
                                      "<session>", "text": str(report.longrepr)[-3000:]})

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
        if report.when == "teardown":  # the last report of every test, even a skipped one
            self._write(self.config, {"event": "test", "nodeid": report.nodeid, **entry})

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        self._write(session.config, {"event": "finished", "exitstatus": int(exitstatus)})


class Grading:
    """Grading order: the tests of earlier tasks first (a hang in a later task cannot use up
    the budget before them), and once a test of a task has timed out, the task's other tests
    fail at once instead of each waiting out the timeout: a hang costs one timeout per task."""

    def __init__(self, order: list) -> None:
        self.rank = {marker: i for i, marker in enumerate(order)}
        self.timed_out = {}

    def _task(self, item) -> str:
        markers = task_markers(mark.name for mark in item.iter_markers())
        return min(markers, key=lambda m: self.rank.get(m, len(self.rank)), default="")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items) -> None:
        items.sort(key=lambda item: self.rank.get(self._task(item), len(self.rank)))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item) -> None:
        task = self._task(item)
        if task in self.timed_out:
            pytest.fail(f"not run: {self.timed_out[task]} timed out, so this task's other "
                        f"tests count as failed", pytrace=False)

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed and TIMEOUT_MARK in _crash_message(report):
            task = task_markers(report.keywords)
            if task:
                task = min(task, key=lambda m: self.rank.get(m, len(self.rank)))
                self.timed_out.setdefault(task, report.nodeid.split("::")[-1])


def pytest_configure(config) -> None:
    grading = os.environ.get(GRADING_ENV)
    if grading:
        config.pluginmanager.register(Grading(json.loads(grading)["order"]), "course-grading")
    path = os.environ.get(RESULTS_ENV)
    if path:
        select = os.environ.get(SELECT_ENV)
        config.pluginmanager.register(
            Recorder(path, json.loads(select) if select else None, config), "course-recorder")
