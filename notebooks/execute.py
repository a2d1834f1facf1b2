"""Execute the notebooks with a real Jupyter kernel, top to bottom, and time each one.

The notebooks are jupytext percent scripts (NN_name.py). Each is read with jupytext, run by
nbclient in a fresh python3 kernel whose working directory is this folder (as when JupyterLab
opens it), and written executed to OUT/NN_name.ipynb (out/ is never committed). The first
cell that raises stops that notebook and makes the run fail; the others still run.

    python notebooks/execute.py                     # all of them (make notebooks-test)
    python notebooks/execute.py 02 --out /tmp/nb    # those whose name starts with 02

Needs the `notebooks` extra: pip install -e ".[notebooks]".
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "out" / "notebooks"


def notebook_paths(prefixes: Sequence[str] = ()) -> List[Path]:
    """The notebooks in this folder, in order; only those starting with one of `prefixes`."""
    paths = sorted(HERE.glob("[0-9][0-9]_*.py"))
    chosen = [p for p in paths if not prefixes or any(p.name.startswith(s) for s in prefixes)]
    if not chosen:
        raise SystemExit(f"execute.py: no notebook in {HERE} starts with {list(prefixes)}")
    return chosen


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def execute(path: Path, out: Path = DEFAULT_OUT, timeout: int = 900) -> dict:
    """Run one notebook; write it executed to `out`; its name, wall-clock seconds, CPU seconds
    of the kernel and its worker processes (counted once the kernel has exited: on a shared
    machine the wall clock says more about the neighbours), and error (or None)."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = jupytext.read(path)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(HERE)}})
    error, start, cpu_start = None, time.perf_counter(), _children_cpu_seconds()
    try:
        client.execute()  # starts the kernel, runs every cell, shuts the kernel down
    except CellExecutionError as failure:
        error = str(failure)
    seconds = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out / f"{path.stem}.ipynb")
    return {"notebook": path.name, "seconds": round(seconds, 1),
            "cpu_seconds": round(_children_cpu_seconds() - cpu_start, 1), "error": error}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefixes", nargs="*", help="run only notebooks starting with these")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder for the executed .ipynb files (default: out/notebooks)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell (900)")
    args = parser.parse_args(argv)
    results = []
    for path in notebook_paths(args.prefixes):
        print(f"{path.name} ...", end=" ", flush=True)
        result = execute(path, args.out, args.timeout)
        results.append(result)
        print(f"{result['seconds']:.1f} s wall, {result['cpu_seconds']:.1f} s CPU"
              + ("  FAILED" if result["error"] else ""), flush=True)
        if result["error"]:
            print(result["error"], file=sys.stderr)
    (args.out / "timings.json").write_text(json.dumps(results, indent=2) + "\n")
    failed = [r["notebook"] for r in results if r["error"]]
    total = sum(r["seconds"] for r in results)
    print(f"{len(results)} notebooks executed in {total:.0f} s")
    print(f"notebooks: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
