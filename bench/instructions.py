"""Instructions per unit of work, counted by valgrind's callgrind: a measure load cannot change.

    python -m bench.instructions                    # this checkout's engine
    python -m bench.instructions --root ../old      # the engine and nets of another checkout

Timings on a shared machine drift by 10% from minute to minute; an instruction count does not,
so it shows a 3% change that the timed ratios cannot resolve (bench/optimizations.md uses both).
Each workload runs in a child Python under callgrind twice, with 1 and with 3 units of work after
one warm-up unit; the difference over 2 is the count of one unit, without start-up and imports.
Needs valgrind (Debian: apt-get install valgrind); not run by `make bench`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this checkout
WORKLOADS = {"w0": "8 samples of W0 (forward, backward, SGD step), engine",
             "w0-jit": "8 samples of W0, the engine's step replayed by tinygrad_res.jit",
             "w0-numpy": "8 samples of W0, numpy by hand",
             "micro": "100 calls of relu(W @ x + b).sum() forward + backward, engine"}


def unit_of_work(name: str):
    """A function doing one unit of `name` with the engine and nets found on sys.path: the
    engine contender of the timed workloads (imported here, after sys.path is set)."""
    import nets
    from tinygrad_res import Tensor

    from . import micro_op
    from .mlp_training import engine_trainer, numpy_trainer

    if name.startswith("w0"):
        model = nets.seed000_network(100, residual=True)
        samples = [row[None, :] for row in nets.data.identity_data()[:8]]
        if name == "w0-jit":  # the warm-up unit records (its first two samples)
            from .jit_training import jit_trainer
            return jit_trainer(model, samples, "sgd", 1e-4, per_call=8).train
        trainer = numpy_trainer if name == "w0-numpy" else engine_trainer
        return trainer(model, samples, "sgd", 1e-4, per_call=8).train
    if name == "micro":
        w0, x0, b0 = micro_op.arrays()
        W, b, x = Tensor(w0, requires_grad=True), Tensor(b0, requires_grad=True), Tensor(x0)
        return lambda: micro_op.engine_calls(W, b, x, 100)
    raise ValueError(f"bench.instructions: unknown workload {name!r}; "
                     f"choose from {sorted(WORKLOADS)}")


def child(name: str, units: int, root: str) -> None:
    """Run in the child: import the engine from `root`, warm up, then do `units` units."""
    sys.path.insert(0, root)
    work = unit_of_work(name)
    work()
    for _ in range(units):
        work()


def count(name: str, units: int, root: str) -> int:
    """Instructions callgrind counts for a child doing `units` units of `name` (plus start-up)."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
               "-m", "bench.instructions", "--child", name, str(units), "--root", root]
    env = dict(os.environ, PYTHONHASHSEED="0")  # the same dict layouts in every run
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=HERE)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or found is None:
        raise RuntimeError(f"bench.instructions: the callgrind run of {name} failed:\n"
                           f"{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=HERE,
                        help="checkout whose tinygrad_res and nets are counted")
    parser.add_argument("--only", nargs="*", default=sorted(WORKLOADS))
    parser.add_argument("--child", nargs=2, metavar=("WORKLOAD", "UNITS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    if args.child:
        child(args.child[0], int(args.child[1]), root)
        return
    if shutil.which("valgrind") is None:
        sys.exit("bench.instructions: valgrind is not installed (Debian: apt-get install valgrind)")
    print(f"engine and nets from {root}")
    for name in args.only:
        per_unit = (count(name, 3, root) - count(name, 1, root)) / 2
        print(f"  {name:<8} {per_unit / 1e6:8.1f} M instructions per unit: {WORKLOADS[name]}")


if __name__ == "__main__":
    main()
