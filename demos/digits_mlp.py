"""Deep MLPs on the 8x8 digits (flattened to 64 features), one training budget for every kind
of layer: the harness of demos/highway_vs_residual.py and demos/residual_variants.py.

A network is Linear(64, width) + ReLU, then `depth` hidden layers of one family, then
Linear(width, 10). Every Linear weight is He-initialised, N(0, sqrt(2 / fan_in)), every bias 0,
so the families differ only in what their layers compute:

    plain              relu(W x + b)
    highway            T * relu(Wh x + bh) + (1 - T) * x,  T = sigmoid(Wt x + bt), bt = -1
                       (or gate_bias)
    residual           x + relu(W x + b), W scaled by 1/sqrt(depth) (seed 000's recipe)
    residual_unscaled  x + relu(W x + b), W as drawn
    scaled             x + relu(W x + b) / sqrt(depth)
    rezero             x + alpha * relu(W x + b), alpha = 0 at first
    gated              x + sigmoid(Wg x + bg) * relu(W x + b), bg = 0

Runs go to worker processes with single-threaded BLAS (demos/workers.py).
"""
from __future__ import annotations

import math
import time
from typing import List

import numpy as np

FAMILIES = ("plain", "highway", "residual", "residual_unscaled", "scaled", "rezero", "gated")


def make_layer(family: str, width: int, depth: int, rng, gate_bias: float = -1.0):
    import nets
    from nets.mlp import PlainLayer, ResidualLayer
    from nets.variants import GatedResidualLayer, ReZeroLayer, ScaledResidualLayer
    if family == "plain":
        return PlainLayer(width, seed=rng)
    if family == "highway":
        return nets.HighwayLayer(width, gate_bias=gate_bias, seed=rng)
    if family in ("residual", "residual_unscaled"):
        return ResidualLayer(width, seed=rng)
    if family == "scaled":
        return ScaledResidualLayer(width, 1.0 / math.sqrt(depth), seed=rng)
    if family == "rezero":
        return ReZeroLayer(width, seed=rng)
    if family == "gated":
        return GatedResidualLayer(width, seed=rng)
    raise ValueError(f"digits_mlp: unknown family {family!r}, expected one of {FAMILIES}")


def build(family: str, depth: int, width: int, seed: int, gate_bias: float = -1.0):
    """The network of one run: stem, `depth` hidden layers of `family`, head. `gate_bias` is
    the highway gates' initial bias (Srivastava et al. suggest -1 to -3, deeper nets lower)."""
    import nets
    from nets.init import kaiming_normal_, zeros_
    rng = np.random.default_rng(seed)
    model = nets.Sequential(nets.Linear(64, width), nets.ReLU(),
                            *[make_layer(family, width, depth, rng, gate_bias)
                              for _ in range(depth)],
                            nets.Linear(width, 10))
    for name, module in model.named_modules():
        if isinstance(module, nets.Linear):
            kaiming_normal_(module.weight, seed=rng)
            if not name.endswith("gate"):  # the gates keep their bias (-1 or 0, see above)
                zeros_(module.bias)
    if family == "residual":
        nets.init.scale_residual_branches_(model, 1.0 / math.sqrt(depth))
    return model


def evaluate(model, x: np.ndarray, y: np.ndarray) -> tuple:
    """(error rate, mean cross-entropy) on the whole set."""
    from nets.losses import cross_entropy
    from tinygrad_res import Tensor, no_grad
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        logits = model(Tensor(x))
        loss = cross_entropy(logits, y).item()
    return float((logits.data.argmax(axis=1) != y).mean()), loss


def stream_at_init(model, x: np.ndarray) -> List[float]:
    """The std of the hidden signal after the stem and after each hidden layer, at init."""
    from tinygrad_res import Tensor, no_grad
    stds = []
    with no_grad(), np.errstate(over="ignore", invalid="ignore"):
        h = model[1](model[0](Tensor(x)))
        stds.append(float(h.data.std()))
        for layer in list(model)[2:-1]:
            h = layer(h)
            stds.append(float(h.data.std()))
    return stds


def train_run(job: dict) -> dict:
    """One network trained with the job's budget: its curve and final errors. job: family,
    depth, width, seed, epochs, batch_size, optimizer ("adam" or "sgd"), lr, momentum."""
    from nets.digits import load_digits
    from nets.losses import cross_entropy
    from nets.optim import SGD, Adam
    from tinygrad_res import Tensor
    start = time.process_time()
    data = load_digits()
    x_train, x_test = data.x_train.reshape(-1, 64), data.x_test.reshape(-1, 64)
    model = build(job["family"], job["depth"], job["width"], job["seed"],
                  job.get("gate_bias", -1.0))
    if job["optimizer"] == "adam":
        optimizer = Adam(model.parameters(), lr=job["lr"])
    else:
        optimizer = SGD(model.parameters(), lr=job["lr"], momentum=job["momentum"])
    stream = stream_at_init(model, x_train)
    initial_loss = evaluate(model, x_train, data.y_train)[1]
    rng = np.random.default_rng([job["seed"], 1])  # the batches: the same for every family
    curve, diverged = [], False
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected, not warned
        for _ in range(job["epochs"]):
            order, losses = rng.permutation(len(x_train)), []
            for first in range(0, len(order), job["batch_size"]):
                index = order[first:first + job["batch_size"]]
                loss = cross_entropy(model(Tensor(x_train[index])), data.y_train[index])
                if not math.isfinite(loss.item()):
                    diverged = True
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            if diverged:
                break
            curve.append(float(np.mean(losses)))
    train_error, train_loss = evaluate(model, x_train, data.y_train)
    test_error, _ = evaluate(model, x_test, data.y_test)
    if diverged or not math.isfinite(train_loss):
        train_loss, diverged = float("nan"), True
    return {**job, "stream_std_at_init": stream, "initial_loss": initial_loss, "curve": curve,
            "diverged": diverged, "train_error": train_error,
            "train_loss": train_loss, "test_error": test_error,
            "parameters": model.num_parameters(), "cpu_seconds": time.process_time() - start}


def add_study_arguments(parser, full: dict, quick: dict, depths: str = "hidden layers") -> None:
    """The options of the digits-MLP studies, their defaults said from the demo's FULL and
    QUICK settings."""
    from .cli import positive_float, positive_int

    depth_list = " ".join(map(str, full["depths"])), " ".join(map(str, quick["depths"]))
    parser.add_argument("--depths", type=positive_int, nargs="+", default=None,
                        help=f"{depths} (default: {depth_list[0]}; --quick: {depth_list[1]})")
    parser.add_argument("--seeds", type=positive_int, default=None,
                        help=f"seeds SEED..SEED+N-1 per network (default: {full['seeds']}; "
                             f"--quick: {quick['seeds']})")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help=f"epochs of Adam (default: {full['epochs']}; --quick: "
                             f"{quick['epochs']})")
    parser.add_argument("--lr", type=positive_float, default=1e-3,
                        help="Adam learning rate (default: %(default)s)")
    parser.add_argument("--width", type=positive_int, default=64,
                        help="features per hidden layer (default: %(default)s)")
    parser.add_argument("--workers", type=positive_int, default=None,
                        help="worker processes (default: 2; --quick: 1)")


def run_study(args, config: dict, variants: List[dict], claim: str, claim_from: str,
              study) -> dict:
    """The shared body of the digits-MLP studies: one training job per (depth, variant, seed),
    run in worker processes, then summarised, judged, tabled, printed and plotted by `study`
    (the demo's module: summarise, verdict, table and plot(runs, summary, depths, args)).
    `variants` hold each variant's job fields (label and family, and any of its own)."""
    from .tables import format_table
    from .workers import run_jobs
    depths = sorted(set(args.depths or config["depths"]))
    seeds, epochs = args.seeds or config["seeds"], args.epochs or config["epochs"]
    jobs = [{**fields, "depth": depth, "width": args.width, "seed": args.seed + s,
             "epochs": epochs, "batch_size": 64, "optimizer": "adam", "lr": args.lr,
             "momentum": 0.0}
            for depth in depths for fields in variants for s in range(seeds)]
    start = time.perf_counter()
    runs = run_jobs(jobs, args.workers or (1 if args.quick else 2), train_run)
    summary = study.summarise(runs, depths)
    found = study.verdict(summary, depths)
    tab = study.table(summary, depths, seeds, epochs)
    tab["note"] += f" Verdict: {found['text']}."
    print(f"Claim ({claim_from}): {claim}\n")
    print(format_table(tab))
    print(f"\nverdict: {found['text']}" + (" (quick mode: too short to conclude anything)"
                                          if args.quick else ""))
    cpu = sum(r["cpu_seconds"] for r in runs)
    print(f"{len(runs)} runs, {cpu:.0f} s of CPU, {time.perf_counter() - start:.0f} s")
    return {"claim": claim, "depths": depths, "seeds": seeds, "seeds_from": args.seed,
            "epochs": epochs, "lr": args.lr, "width": args.width,
            "summary": {label: {str(d): cell for d, cell in cells.items()}
                        for label, cells in summary.items()},
            "verdict": found, "runs": runs, "cpu_seconds": cpu, "tables": [tab],
            "figures": [study.plot(runs, summary, depths, args)]}
