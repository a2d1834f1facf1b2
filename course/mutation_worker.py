"""The mutation worker: one pytest session that runs many mutants, each in a forked child.

    python -m pytest -p course.mutation_worker -s -q tests -m "task_1_1 or ..."

With COURSE_MUTATION_WORKER=1 set, the session collects the task tests once, then reads
requests from stdin, one JSON object a line, and answers each with one line on stdout
starting with PROTOCOL. A request names a mutant (course/mutation.py: file, node, variant,
function) or none (a baseline run of the solution), the tests to run in order, whether to stop
at the first failure, and a time limit. For each request the worker forks: the child swaps
the mutated function's code in (`function.__code__`, so every reference to the function sees
it), runs the tests, and reports; the worker kills a child that outlives its time limit (a
hang is a kill). Forking gives every mutant the freshly collected state and keeps a mutant's
crash, hang or memory blow-up away from the session and from the next mutant.
"""
from __future__ import annotations

import importlib
import inspect
import json
import os
import select
import signal
import sys
import time
import types
from pathlib import Path

import pytest
from _pytest.runner import runtestprotocol

from .mutation import Mutant, mutated_module

WORKER_ENV = "COURSE_MUTATION_WORKER"
PROTOCOL = "@@course-mutation "
MEMORY_HEADROOM = 2 << 30  # bytes a child may allocate beyond what the session holds


def module_name(path: str) -> str:
    parts = path[:-3].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def find_code(code: types.CodeType, parts: list):
    """The code object of the function at `parts` ('Class', 'method') inside `code`."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType) and const.co_name == parts[0]:
            if len(parts) == 1:
                return const
            found = find_code(const, parts[1:])
            if found is not None:
                return found
    return None


def live_function(path: str, qualname: str):
    """The function object the imported module holds for `qualname`."""
    owner = importlib.import_module(module_name(path))
    parts = qualname.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part)
    raw = vars(owner)[parts[-1]] if isinstance(owner, type) else getattr(owner, parts[-1])
    if isinstance(raw, (staticmethod, classmethod)):
        raw = raw.__func__
    elif isinstance(raw, property):
        raw = raw.fget
    return inspect.unwrap(raw)


def patch(mutant: Mutant) -> None:
    """Swap the mutant's code into its live function."""
    root = Path.cwd()
    code = compile(mutated_module(root, mutant), str(root / mutant.path), "exec")
    new = find_code(code, mutant.qualname.split("."))
    function = live_function(mutant.path, mutant.qualname)
    if new is None or function.__code__.co_name != new.co_name:
        raise RuntimeError(f"cannot find {mutant.qualname} in {mutant.path}")
    function.__code__ = new


def _crash(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr or "")
    return " ".join(text.split())[:300]


def run_tests(items: dict, nodeids: list, stop_first: bool) -> dict:
    """Run the tests in order; the result says which failed and how long each took."""
    durations, failures = {}, {}
    for nodeid in nodeids:
        start = time.monotonic()
        reports = runtestprotocol(items[nodeid], nextitem=None, log=False)
        durations[nodeid] = time.monotonic() - start
        failed = [r for r in reports if r.failed]
        if failed:
            failures[nodeid] = _crash(failed[0])
            if stop_first:
                break
    status = "killed" if failures else "survived"
    return {"status": status, "failures": failures, "durations": durations}


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as handle:
            size = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + MEMORY_HEADROOM, resource.RLIM_INFINITY))
    except (OSError, ValueError, ImportError):
        pass  # not Linux: the time limit still ends a runaway mutant


def _child(request: dict, items: dict, write_end: int) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        _limit_memory()
        if request.get("mutant"):
            patch(Mutant(**request["mutant"]))
        before = set(sys.modules)
        result = run_tests(items, request["tests"], request["stop_first"])
        result["modules"] = [name for name in sys.modules if name not in before]
    except BaseException as error:  # the report must reach the worker whatever happened
        result = {"status": "error", "message": f"{type(error).__name__}: {error}"[:500]}
    os.write(write_end, json.dumps(result).encode())
    os._exit(0)


def run_request(request: dict, items: dict) -> dict:
    warm_up(request.get("warm", []))
    read_end, write_end = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(request, items, write_end)
    os.close(write_end)
    chunks, deadline = [], start + request["timeout"]
    while True:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([read_end], [], [], max(0.0, left))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            result = {"status": "timeout"}
            break
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            text = b"".join(chunks).decode()
            result = json.loads(text) if text else {"status": "killed", "failures": {
                "<process>": "the test process died (a crash, or out of memory)"}}
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    result["seconds"] = time.monotonic() - start
    return result


def warm_up(modules: list) -> None:
    """Import in the session what the solution's run imported (torch for a parity test, say),
    so that each child inherits it instead of paying the import again. Only imports: no test
    code runs in the session itself, whose state every child starts from."""
    for name in modules:
        if name in sys.modules:
            continue
        try:
            importlib.import_module(name)
        except BaseException:  # a module that imports only in its test's context: skip it
            pass


def _quiet_hypothesis() -> None:
    """No shrinking (a mutant's failing example need not be minimal: shrinking it can take
    longer than all the rest) and no example database shared between mutants."""
    try:
        from hypothesis import Phase, settings
    except ImportError:
        return
    settings.register_profile("course-mutation", database=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("course-mutation")


class Worker:
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session) -> bool:
        items = {item.nodeid: item for item in session.items}
        markers = {nodeid: sorted(m.name for m in item.iter_markers()
                                  if m.name.startswith("task_")) for nodeid, item in items.items()}
        out = sys.__stdout__
        out.write(PROTOCOL + json.dumps({"ready": True, "collected": markers}) + "\n")
        out.flush()
        for line in sys.stdin:
            if not line.strip():
                continue
            result = run_request(json.loads(line), items)
            out.write(PROTOCOL + json.dumps(result) + "\n")
            out.flush()
        return True


def pytest_configure(config) -> None:
    if os.environ.get(WORKER_ENV) == "1":
        _quiet_hypothesis()
        config.pluginmanager.register(Worker(), "course-mutation-worker")
