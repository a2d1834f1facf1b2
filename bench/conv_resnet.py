"""Conv nets: the ResNet-20 training step of the degradation demo, and single conv2d calls.

Float32, one thread each, the engine (nets) and PyTorch eager alternating in one process:

- the ResNet-20 training step (nets.ResNet(20), the 8x8 digits, batch 64, SGD with momentum and
  weight decay as demos/degradation.py trains it): forward, cross-entropy, backward, update.
  PyTorch runs the same network as torch.nn modules (nets.export.to_torch, the engine's
  weights and buffers copied), so both start from the same weights; after the timing both must end with the same loss.
- conv2d 3x3 (padding 1, no bias: ResNet's convolutions) forward + backward at the four shapes
  a ResNet-20 on 8x8 images runs: the gradients of the input and the weight, for one fixed
  output gradient. Both contenders must give the same gradients.

    python -m bench.conv_resnet            # print the five tables
    python -m bench --only conv_resnet     # three fresh processes, into bench/RESULTS.md
"""
from __future__ import annotations

import itertools

import numpy as np

import nets
from nets.digits import load_digits
from nets.export import to_torch
from nets.losses import cross_entropy
from tinygrad_res import Tensor, conv2d

from . import common

TRAINING = {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4, "batch_size": 64}
RESNET_TITLE = "ResNet-20 training step, 8x8 digits, batch 64, SGD momentum, float32"
RESNET_GOAL = {"kind": "ratio", "ratio": "engine/torch", "limit": 1.5,
               "text": "engine <= 1.5x torch", "issue_torch": 23e-3}
# (input shape, output channels, stride) and torch's time in issue 18's table
CONV_SHAPES = [((64, 16, 8, 8), 16, 1, 0.90e-3), ((64, 16, 8, 8), 32, 2, 0.81e-3),
               ((64, 32, 4, 4), 32, 1, 0.66e-3), ((64, 64, 2, 2), 64, 1, 0.74e-3)]
BATCHES = 4  # the training step goes round this many batches


def conv_title(shape: tuple, out_channels: int, stride: int) -> str:
    strided = f" stride {stride}" if stride != 1 else ""
    return f"conv2d 3x3{strided} fwd+bwd, {shape} -> {out_channels} ch, float32"


def resnet_step(rounds: int, use_torch: bool) -> dict:
    data = load_digits(dtype=np.float32)
    size = TRAINING["batch_size"]
    batches = [(data.x_train[i * size:(i + 1) * size], data.y_train[i * size:(i + 1) * size])
               for i in range(BATCHES)]
    model = nets.ResNet(20, seed=0).to(np.float32)
    torch = common.load_torch() if use_torch else None
    mirror = to_torch(model) if torch is not None else None  # the same weights, float32
    optimizer = nets.optim.SGD(model.parameters(), lr=TRAINING["lr"],
                               momentum=TRAINING["momentum"],
                               weight_decay=TRAINING["weight_decay"])
    engine_batches = itertools.cycle([(Tensor(x), y) for x, y in batches])
    losses, first_losses = {}, {}

    def engine():
        x, y = next(engine_batches)
        loss = cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses["engine"] = loss.item()
        first_losses.setdefault("engine", losses["engine"])

    contenders = {"engine": engine}
    if torch is not None:
        torch_optimizer = torch.optim.SGD(mirror.parameters(), lr=TRAINING["lr"],
                                          momentum=TRAINING["momentum"],
                                          weight_decay=TRAINING["weight_decay"])
        torch_batches = itertools.cycle([(torch.from_numpy(x), torch.from_numpy(y))
                                         for x, y in batches])
        F = torch.nn.functional

        def torch_step():
            x, y = next(torch_batches)
            loss = F.cross_entropy(mirror(x), y)
            torch_optimizer.zero_grad()
            loss.backward()
            torch_optimizer.step()
            losses["torch"] = loss.item()
            first_losses.setdefault("torch", losses["torch"])

        contenders["torch"] = torch_step
    medians = common.measure(contenders, rounds)
    # the first step starts from the same weights: its losses agree to float32 rounding. Later
    # steps drift apart in the last bits and training amplifies it: the last losses (after
    # warm-up + rounds steps of each) agree to a few percent, not to rounding
    for name in losses:
        first, last = first_losses[name], losses[name]
        if not (abs(first - first_losses["engine"]) <= 1e-5 * abs(first_losses["engine"]) and
                abs(last - losses["engine"]) <= 0.05 * abs(losses["engine"]) + 1e-3):
            raise AssertionError(f"bench: the ResNet-20 contenders differ: first losses "
                                 f"{first_losses}, last losses {losses}")
    return {"key": "resnet20", "title": RESNET_TITLE, "unit": "s/step", "rounds": rounds,
            "medians": medians, "ratios": common.ratios(medians), "goal": RESNET_GOAL,
            "notes": ["first loss: " + ", ".join(f"{n} {v:.6f}" for n, v in first_losses.items())
                      + "; last loss: " + ", ".join(f"{n} {v:.4f}" for n, v in losses.items())]}


def conv_call(shape: tuple, out_channels: int, stride: int, issue_torch: float, rounds: int,
              use_torch: bool) -> dict:
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(shape).astype(np.float32)
    w0 = (rng.standard_normal((out_channels, shape[1], 3, 3)) * 0.1).astype(np.float32)
    out_size = (shape[2] - 1) // stride + 1
    g0 = rng.standard_normal((shape[0], out_channels, out_size, out_size)).astype(np.float32)
    x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
    grads = {}

    def engine():
        x.grad = w.grad = None
        conv2d(x, w, stride=stride, padding=1).backward(g0)
        grads["engine"] = (x.grad, w.grad)

    contenders = {"engine": engine}
    torch = common.load_torch() if use_torch else None
    if torch is not None:
        tx, tw = torch.tensor(x0, requires_grad=True), torch.tensor(w0, requires_grad=True)
        tg = torch.from_numpy(g0)
        F = torch.nn.functional

        def torch_call():
            tx.grad = tw.grad = None
            F.conv2d(tx, tw, stride=stride, padding=1).backward(tg)
            grads["torch"] = (tx.grad.numpy(), tw.grad.numpy())

        contenders["torch"] = torch_call
    medians = common.measure(contenders, rounds)
    worst = common.parameters_agree(grads["engine"],
                                    {n: g for n, g in grads.items() if n != "engine"}, 1e-4)
    goal = {"kind": "ratio", "ratio": "engine/torch", "limit": 2.0, "text": "engine <= 2x torch",
            "issue_torch": issue_torch}
    return {"key": f"conv {shape} -> {out_channels} s{stride}",
            "title": conv_title(shape, out_channels, stride), "unit": "s/call", "rounds": rounds,
            "medians": medians, "ratios": common.ratios(medians), "goal": goal,
            "notes": ["gradients agree: " + ", ".join(f"{n} {v:.0e}" for n, v in worst.items())]}


def run(rounds: int = 30, quick: bool = False, use_torch: bool = True) -> list:
    """The ResNet-20 step, then each conv shape: one result dict each."""
    results = [resnet_step(3 if quick else rounds, use_torch)]
    for shape, out_channels, stride, issue_torch in CONV_SHAPES:
        results.append(conv_call(shape, out_channels, stride, issue_torch,
                                 5 if quick else 10 * rounds, use_torch))
    return results


if __name__ == "__main__":
    common.workload_main(run, default_rounds=30)
