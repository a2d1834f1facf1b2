"""Peak memory of one forward + backward pass through a 1,000-layer residual MLP.

nets.ResMLP(depth=1000, width=64) on a batch of 32, MSE loss, measured with tracemalloc (numpy
reports its array buffers to it), against the hand-written numpy backprop of nets/manual_mlp.py.
Only what the pass allocates counts: the parameters exist before the measurement starts.
The engine keeps more by design: every tensor that requires grad gets its own `.grad`, so a
learner can inspect any node, while the hand-written code forgets each delta once used.
"jit" is the same pass replayed by tinygrad_res.jit (recorded on two calls before measuring).
"""
import tracemalloc

import numpy as np

import nets
from nets.losses import mse_loss
from nets.manual import mlp_loss_and_grads
import tinygrad_res
from tinygrad_res import Tensor

from . import common

TITLE = "memory: ResMLP depth 1000 width 64, batch 32, forward + backward, peak (tracemalloc)"


def peak_bytes(step) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        step()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run(rounds: int = 1, quick: bool = False, use_torch: bool = False) -> dict:
    depth = 100 if quick else 1000
    model = nets.kaiming_mlp(depth, 64, residual=True, branch_scale=depth ** -0.5, seed=0)
    x = np.random.default_rng(1).uniform(-1, 1, (32, 64))
    weights = [layer.weight.data for layer in model.linears()]
    biases = [layer.bias.data for layer in model.linears()]
    kept = {}

    def engine():
        inputs = Tensor(x)
        loss = mse_loss(model(inputs), inputs)
        loss.backward()
        kept["engine"] = loss  # the graph and every .grad stay alive until measured

    def numpy():
        kept["numpy"] = mlp_loss_and_grads(weights, biases, x, x, residual=True)

    @tinygrad_res.jit
    def forward_backward(inputs):
        loss = mse_loss(model(inputs), inputs)
        loss.backward()
        return loss

    def jit():
        model.zero_grad()
        kept["jit"] = forward_backward(Tensor(x))

    peaks = {"engine": peak_bytes(engine), "numpy": peak_bytes(numpy)}
    grads = [p.grad for p in model.parameters()]
    worst = max(common.max_relative_difference(a, b) for a, b in zip(grads, kept["numpy"][1]))
    kept.clear()
    for _ in range(2):  # the two recorded calls
        jit()
    peaks["jit"] = peak_bytes(jit)
    if not all(np.array_equal(p.grad, g) for p, g in zip(model.parameters(), grads)):
        raise AssertionError("bench: the replayed pass found other gradients than eager mode")
    activation_mb = 32 * 64 * np.dtype(np.float64).itemsize * depth / 2 ** 20
    return {"key": "memory", "title": TITLE.replace("1000", str(depth)), "unit": "MiB peak",
            "rounds": 1, "medians": {name: b / 2 ** 20 for name, b in peaks.items()},
            "ratios": {"engine/numpy": peaks["engine"] / peaks["numpy"],
                       "jit/numpy": peaks["jit"] / peaks["numpy"]}, "goal": None,
            "notes": [f"one (32, 64) float64 activation per layer is {activation_mb:.1f} MiB "
                      f"over {depth} layers; gradients agree to {worst:.0e}"]}


def print_memory(result: dict) -> None:
    print(f"\n{result['title']}")
    for name, mib in result["medians"].items():
        print(f"  {name:<8} {mib:8.1f} MiB")
    for name, ratio in result["ratios"].items():
        print(f"  {name:<14} {ratio:.2f}x")
    for note in result["notes"]:
        print(f"  note: {note}")


if __name__ == "__main__":
    print_memory(run())
