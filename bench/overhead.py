"""Graph-building overhead per op, in microseconds, on arrays so small the arithmetic is free.

For each op, a chain of CHAIN applications on an (8,) or (8, 8) float64 array: numpy alone, the
engine under no_grad() (dispatch, no recording), the engine recording the graph, and the backward
pass over that chain divided by its length. "overhead" is recording minus numpy: what the engine
adds to every op a network runs.
"""
import numpy as np

from tinygrad_res import Tensor, linear, no_grad

from . import common

TITLE = "graph-building overhead per op (chains of 100 ops on 8-element arrays)"
CHAIN = 100


def _ops(rng):
    w, b = rng.normal(size=(8, 8)) * 0.3, rng.normal(size=8)
    W, B = Tensor(w), Tensor(b)
    return {  # name: (engine op on a Tensor, the same op in numpy)
        "add": (lambda t: t + B, lambda a: a + b),
        "mul": (lambda t: t * B, lambda a: a * b),
        "relu": (lambda t: t.relu(), lambda a: np.maximum(a, 0.0)),  # as the op
        "matmul": (lambda t: W @ t, lambda a: w @ a),
        "linear": (lambda t: linear(t, W, B), lambda a: a @ w.T + b),
    }


def _chain(op, start):
    def go():
        t = start
        for _ in range(CHAIN):
            t = op(t)
        return t
    return go


def run(rounds: int = 25, quick: bool = False, use_torch: bool = False) -> dict:
    rng = np.random.default_rng(0)
    rounds = 5 if quick else rounds
    rows = {}
    for name, (engine_op, numpy_op) in _ops(rng).items():
        x = rng.normal(size=8)
        leaf = Tensor(x, requires_grad=True)
        constant = Tensor(x)

        def recorded(op=engine_op, leaf=leaf):
            return _chain(op, leaf)()

        def unrecorded(op=engine_op, constant=constant):
            with no_grad():
                return _chain(op, constant)()

        def backward(op=engine_op, leaf=leaf):
            out = _chain(op, leaf)().sum()
            return lambda: out.backward()

        forward = common.measure({"numpy": _chain(numpy_op, x), "no_grad": unrecorded,
                                  "recording": recorded}, rounds)
        graphs = [backward() for _ in range(rounds + 1)]  # a fresh graph for every call
        backward_time = common.measure({"backward": lambda: graphs.pop()()}, rounds)["backward"]
        row = {key: seconds / CHAIN * 1e6 for key, seconds in forward.items()}
        row["overhead"] = row["recording"] - row["numpy"]
        row["backward"] = backward_time / (CHAIN + 1) * 1e6
        rows[name] = row
    return {"key": "overhead", "title": TITLE, "unit": "µs per op", "rounds": rounds,
            "rows": rows}


def print_overhead(result: dict) -> None:
    print(f"\n{result['title']}  (µs per op, median of {result['rounds']} rounds, CPU time)")
    columns = ["numpy", "no_grad", "recording", "overhead", "backward"]
    print("  " + f"{'op':<8}" + "".join(f"{c:>11}" for c in columns))
    for name, row in result["rows"].items():
        print("  " + f"{name:<8}" + "".join(f"{row[c]:11.2f}" for c in columns))


if __name__ == "__main__":
    print_overhead(run())
