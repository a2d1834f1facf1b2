"""What every demo shares: the common options, running a demo by name, a progress bar, and
the JSON writer.

A demo module defines

    SUMMARY = "one line"                              # shown by `python -m demos --list`
    def add_arguments(parser): ...                    # its own options
    def run(args) -> dict: ...                        # prints tables, saves PNGs, returns numbers
    main = make_main(__name__)                        # so `python -m demos.NAME` works too

and `run` finds the common options on `args`: `args.out` (a Path, default out/), `args.seed`,
`args.json` (a path or None) and `args.quick` (a reduced configuration that runs in seconds).
A demo may redefine a common option (say, another default for `--seed`): its definition wins.
The dict `run` returns holds every number it printed, plus "tables" and "figures" for the report:

    {"tables": [{"title": str, "columns": [str], "rows": [[...]], "note": str}],
     "figures": ["out/..png", ...], ...}
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, TextIO

import numpy as np

from . import load_demo
from .notebook import NotebookLine, in_notebook, show_figures


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """--out, --seed, --json, --quick: the options every demo has."""
    parser.add_argument("--out", type=Path, default=Path("out"), metavar="DIR",
                        help="directory for figures and pages (default: out/)")
    parser.add_argument("--seed", type=nonnegative_int, default=0,
                        help="random seed (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="also write every number the demo printed to PATH as JSON")
    parser.add_argument("--quick", action="store_true",
                        help="a reduced configuration that runs in seconds (for tests and CI)")


def _parse_number(text: str, kind: type):
    """`text` as an int or a finite float, or an argparse error saying what was expected."""
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def at_least(minimum, kind: type = int) -> Callable[[str], Any]:
    """An argparse `type` for a number (int or finite float) of at least `minimum`: a bad value
    is argparse's one-line error and exit status 2, not a traceback from deep inside a demo.

    >>> parser.add_argument("--depths", type=at_least(3), nargs="+")
    >>> parser.add_argument("--rescue-lr", type=at_least(0.0, float))    # 0 means "skip"
    """
    def parse(text: str):
        value = _parse_number(text, kind)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    parse.__name__ = f"{kind.__name__} >= {minimum}"
    return parse


def positive_int(text: str) -> int:
    """An argparse `type` for counts (depths, seeds, steps): 0 or less is an error, not "use
    the default".

    >>> parser.add_argument("--seeds", type=positive_int, default=None)
    """
    return at_least(1)(text)


def nonnegative_int(text: str) -> int:
    """An argparse `type` for seeds and optional counts: 0 is allowed, negatives are not."""
    return at_least(0)(text)


def positive_float(text: str) -> float:
    """An argparse `type` for learning rates and step sizes: a finite number above 0."""
    value = _parse_number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value:g}")
    return value


def finite_float(text: str) -> float:
    """An argparse `type` for a float that may be anything but NaN or infinite (a scale)."""
    return _parse_number(text, float)


def usage_error(name: str, message: str) -> None:
    """Refuse options that are each fine but do not fit together (found in run()) the way
    argparse refuses one bad value: its one-line message on stderr and exit status 2."""
    print(f"python -m demos {name}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def build_parser(name: str) -> argparse.ArgumentParser:
    """The argument parser of demo `name`: the common options, then the demo's own."""
    module = load_demo(name)
    parser = argparse.ArgumentParser(prog=f"python -m demos {name}",
                                     description=module.SUMMARY,
                                     conflict_handler="resolve")
    add_common_arguments(parser)
    module.add_arguments(parser)
    return parser


def run_demo(name: str, argv: Sequence[str] = ()) -> dict:
    """Parse `argv` for demo `name`, run it, write --json if asked; the demo's result dict.

    >>> result = run_demo("depth_sweep", ["--quick", "--out", "/tmp/demo_out"])
    """
    args = build_parser(name).parse_args(list(argv))
    args.out.mkdir(parents=True, exist_ok=True)
    result = load_demo(name).run(args)
    if args.json is not None:
        print(f"wrote {write_json(args.json, result)}")
    if in_notebook():
        show_figures(result.get("figures", []))
    return result


def make_main(module_name: str) -> Callable[[Optional[Sequence[str]]], int]:
    """A `main(argv=None)` for demos/<name>.py, so `python -m demos.<name>` runs it.

    >>> main = make_main("demos.depth_sweep")       # in demos/depth_sweep.py: make_main(__name__)
    """
    if module_name == "__main__":  # run as `python -m demos.NAME`: the spec has the real name
        module_name = sys.modules["__main__"].__spec__.name
    name = module_name.rsplit(".", 1)[-1]

    def main(argv: Optional[Sequence[str]] = None) -> int:
        run_demo(name, sys.argv[1:] if argv is None else argv)
        return 0

    return main


def to_jsonable(value: Any) -> Any:
    """`value` with numpy scalars and arrays made into Python numbers and lists, tuples into
    lists, Paths into strings, and NaN / infinity into None (JSON has neither).

    >>> to_jsonable({"loss": np.float64("nan"), "curve": np.array([1.0, np.inf])})
    {'loss': None, 'curve': [1.0, None]}
    """
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"to_jsonable: cannot write a {type(value).__name__} as JSON: {value!r}")


def write_json(path: Path, data: dict) -> Path:
    """Write `data` to `path` as JSON (NaN -> null, see to_jsonable); the path written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_jsonable(data), indent=2, allow_nan=False) + "\n")
    return path


class Progress:
    """A one-line progress bar for long runs: on stderr when it is a terminal, redrawn in place
    in the cell's output inside a Jupyter notebook, and not at all elsewhere (a log file or a
    test gets no bar, and no carriage-return clutter). `enabled=True` forces it onto `stream`.

    >>> with Progress(total=200, desc="depth 100") as bar:
    ...     for epoch in range(200):
    ...         bar.update()
    """

    NOTEBOOK_INTERVAL = 0.25  # seconds between redraws in a notebook: each one is a message

    def __init__(self, total: int, desc: str = "", stream: Optional[TextIO] = None,
                 enabled: Optional[bool] = None, width: int = 30) -> None:
        self.total, self.desc, self.width = max(int(total), 1), desc, width
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.enabled = isatty() if enabled is None else enabled
        self.count, self.start = 0, time.perf_counter()
        self._line, self._drawn_at = None, -math.inf
        if enabled is None and stream is None and not self.enabled and in_notebook():
            self._line = NotebookLine()

    def update(self, steps: int = 1) -> None:
        self.count = min(self.count + steps, self.total)
        if self.enabled:
            self._draw()
        elif self._line is not None and (time.perf_counter() - self._drawn_at
                                         >= self.NOTEBOOK_INTERVAL or self.count == self.total):
            self._draw_in_notebook()

    def _text(self) -> str:
        filled = round(self.width * self.count / self.total)
        elapsed = time.perf_counter() - self.start
        bar = "#" * filled + "." * (self.width - filled)
        return f"{self.desc} [{bar}] {self.count}/{self.total} {elapsed:5.1f}s"

    def _draw(self) -> None:
        self.stream.write("\r" + self._text())
        self.stream.flush()

    def _draw_in_notebook(self) -> None:
        self._line.update(self._text(), self.count / self.total)
        self._drawn_at = time.perf_counter()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
        elif self._line is not None:
            self._draw_in_notebook()  # the final count and time, however recent the last draw


BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def single_blas_thread_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of fresh ("spawn") worker processes whose numpy uses one BLAS thread each.

    The small matrices of these demos gain nothing from BLAS threads, and BLAS threads that
    wait for each other on a busy 2-core machine burn many times the CPU (measured: 6-18x the
    CPU per step of the explorers' depth-32 spiral net). The variables are read when a worker
    imports numpy.

    >>> with single_blas_thread_pool(2) as pool:
    ...     results = list(pool.map(train_one, jobs))
    """
    saved = {name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES}
    os.environ.update({name: "1" for name in BLAS_THREAD_VARIABLES})
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield pool
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
