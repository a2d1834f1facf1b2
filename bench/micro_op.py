"""One small op chain, forward and backward: relu(W @ x + b).sum() with W 8 x 8, float64.

What a single layer costs when the arrays are tiny: almost all of it is per-op bookkeeping
(recording the graph, ordering it, handing gradients on), not arithmetic. The numpy contender
is the same forward and backward written out by hand, the floor for any engine; "jit" is the
engine's call replayed by tinygrad_res.jit, which drops the bookkeeping but keeps the ops.

No goal: issue 6's absolute 15 µs did not travel between machines, and issue 18 retired it; the
engine is reported as ratios to numpy by hand and to PyTorch.
"""
import numpy as np

import tinygrad_res
from tinygrad_res import Tensor

from . import common

TITLE = "micro: relu(W @ x + b).sum() forward + backward, W 8x8, float64"
GOAL = None
CALLS_PER_ROUND = 200


def arrays() -> tuple:
    """W (8, 8), x (8,), b (8,): the same numbers for every contender, run and tool."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(8, 8)), rng.normal(size=8), rng.normal(size=8)


def engine_calls(W: Tensor, b: Tensor, x: Tensor, calls: int) -> None:
    """The measured call, `calls` times: forward and backward, W's and b's grads reset first.
    (bench/instructions.py counts the same calls.)"""
    for _ in range(calls):
        W.grad = b.grad = None
        (W @ x + b).relu().sum().backward()


def run(rounds: int = 25, quick: bool = False, use_torch: bool = True) -> dict:
    w0, x0, b0 = arrays()
    results = {}
    W, b, x = Tensor(w0, requires_grad=True), Tensor(b0, requires_grad=True), Tensor(x0)

    def engine():
        engine_calls(W, b, x, CALLS_PER_ROUND)
        results["engine"] = (W.grad, b.grad)

    @tinygrad_res.jit
    def forward_backward(x):
        (W @ x + b).relu().sum().backward()

    def jit():
        for _ in range(CALLS_PER_ROUND):
            W.grad = b.grad = None  # outside the jitted function: it may not write .grad
            forward_backward(x)
        results["jit"] = (W.grad, b.grad)

    def numpy():
        for _ in range(CALLS_PER_ROUND):
            z = w0 @ x0 + b0
            np.maximum(z, 0.0).sum()
            grad_z = (z > 0) * 1.0
            grad_w, grad_b = np.outer(grad_z, x0), grad_z
        results["numpy"] = (grad_w, grad_b)

    contenders = {"engine": engine, "numpy": numpy, "jit": jit}
    torch = common.load_torch() if use_torch else None
    if torch is not None:
        tW = torch.tensor(w0, requires_grad=True)
        tb, tx = torch.tensor(b0, requires_grad=True), torch.tensor(x0)

        def torch_run():
            for _ in range(CALLS_PER_ROUND):
                tW.grad = tb.grad = None
                (tW @ tx + tb).relu().sum().backward()
            results["torch"] = (tW.grad.numpy(), tb.grad.numpy())

        contenders["torch"] = torch_run
    medians = common.measure(contenders, rounds=5 if quick else rounds)
    medians = {name: seconds / CALLS_PER_ROUND for name, seconds in medians.items()}
    for name, (grad_w, grad_b) in results.items():
        np.testing.assert_allclose(grad_w, results["engine"][0], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(grad_b, results["engine"][1], rtol=1e-12, err_msg=name)
    jit_ratios = ", ".join(f"jit/{other} {medians['jit'] / medians[other]:.2f}x"
                           for other in ("numpy", "torch") if other in medians)
    return {"key": "micro", "title": TITLE, "unit": "s/call", "rounds": 5 if quick else rounds,
            "medians": medians, "ratios": common.ratios(medians), "goal": GOAL,
            "notes": [f"{CALLS_PER_ROUND} calls per round; the gradients of W and b agree",
                      f"replayed by tinygrad_res.jit: {jit_ratios}"]}


if __name__ == "__main__":
    common.workload_main(run, default_rounds=25)
