"""Seed 004 / He et al. 2015, Fig. 1 and 6: the degradation problem, on real images.

Plain-N and ResNet-N (nets.resnet.ResNet, the CIFAR-style 6n + 2 layout with batch norm) are
trained with the same budget on scikit-learn's 8x8 digits: same epochs, batches, SGD with
momentum and the same learning-rate steps. The claim to test: a deeper *plain* network reaches a
higher *training* error than a shallower one (it fails to optimise, not to generalise), while a
deeper residual network does not. plain=True removes the shortcuts and nothing else, and a plain
and a residual network of one seed start from the same main-path weights.

Every run records, per epoch, the error on the training batches it just trained on (train mode,
as He et al.'s curves) and the test error (eval mode); at the end, the error on the whole
training set and on the test set (eval mode). Runs go to worker processes, one per core, each
with single-threaded BLAS (threads fighting over two cores make small products slower).

    python -m demos degradation [--quick] [--depths 8 20 32 56] [--epochs 16] [--workers 2]
"""
from __future__ import annotations

import argparse
import time
from concurrent.futures import as_completed

import numpy as np

from .cli import Progress, make_main, positive_float, positive_int, single_blas_thread_pool

SUMMARY = ("Seed 004 / He et al. Fig. 1: plain vs residual conv nets of several depths on the "
           "8x8 digits; deeper plain nets train worse, residual ones do not")

FULL = {"depths": (8, 20, 32, 56), "epochs": 16, "train_subset": None}
QUICK = {"depths": (8, 14), "epochs": 2, "train_subset": 256}
TRAINING = {"batch_size": 64, "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4,
            "lr_drops": (0.5, 0.75), "block": "basic", "dtype": "float32"}
TOLERANCE = 0.002  # 0.2 percentage points: 3 of the 1438 training images


def cifar_depth(text: str) -> int:
    """An argparse `type`: a depth of the CIFAR layout, 6n + 2 with n >= 1 (8, 14, 20, ...)."""
    depth = positive_int(text)
    if (depth - 2) % 6 or depth < 8:
        raise argparse.ArgumentTypeError(f"must be 6n + 2 with n >= 1 (8, 14, 20, 32, 56, ...), "
                                         f"got {depth}")
    return depth


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depths", type=cifar_depth, nargs="+", default=None,
                        help="network depths, each 6n + 2 (default: 8 20 32 56; quick: 8 14)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help="epochs per network (default: 16; quick: 2)")
    parser.add_argument("--lr", type=positive_float, default=TRAINING["lr"],
                        help="SGD learning rate, divided by 10 at 50%% and 75%% of training "
                             "(default: %(default)s)")
    parser.add_argument("--block", choices=("basic", "preact"), default=TRAINING["block"],
                        help="residual block: basic (v1, post-activation) or preact (v2) "
                             "(default: %(default)s)")
    parser.add_argument("--workers", type=positive_int, default=2,
                        help="processes training networks side by side (default: 2)")


def evaluate(model, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> tuple:
    """(error rate, mean cross-entropy) over the whole set, in eval mode (running batch-norm
    statistics). The loss keeps falling after the error reaches 0, so it still ranks networks
    that all fit the training set."""
    from nets.losses import cross_entropy
    from tinygrad_res import Tensor, no_grad
    model.eval()
    wrong, loss_sum = 0, 0.0
    with no_grad():
        for start in range(0, len(y), batch_size):
            logits = model(Tensor(x[start:start + batch_size]))
            labels = y[start:start + batch_size]
            wrong += int((logits.data.argmax(axis=1) != labels).sum())
            loss_sum += cross_entropy(logits, labels, reduction="sum").item()
    return wrong / len(y), loss_sum / len(y)


def learning_rate(epoch: int, settings: dict) -> float:
    """He et al.'s steps, scaled to the epochs: lr, divided by 10 at 50% and again at 75%."""
    drops = [round(fraction * settings["epochs"]) for fraction in settings["lr_drops"]]
    return settings["lr"] * 0.1 ** sum(epoch >= drop for drop in drops)


def train_one(depth: int, plain: bool, settings: dict) -> dict:
    """Train one network; its curves and final errors. Runs in a worker process.

    settings: TRAINING's keys plus epochs, lr, seed and train_subset (None: every image); with
    keep_state true the result also holds the trained model's state_dict (demos/ensembles.py)."""
    from nets.digits import load_digits
    from nets.losses import cross_entropy
    from nets.optim import SGD
    from nets.resnet import ResNet
    from tinygrad_res import Tensor

    start_time, start_cpu = time.perf_counter(), time.process_time()
    data = load_digits(dtype=settings["dtype"])
    subset = slice(settings["train_subset"])  # slice(None): every training image
    x_train, y_train = data.x_train[subset], data.y_train[subset]
    model = ResNet(depth, block=settings["block"], plain=plain, seed=settings["seed"])
    model.to(settings["dtype"])
    optimizer = SGD(model.parameters(), lr=settings["lr"], momentum=settings["momentum"],
                    weight_decay=settings["weight_decay"])
    rng = np.random.default_rng(settings["seed"])  # the same batches for every network
    batch = settings["batch_size"]
    curves = {"train_error": [], "train_loss": [], "test_error": []}
    for epoch in range(settings["epochs"]):
        optimizer.lr = learning_rate(epoch, settings)
        model.train()
        order = rng.permutation(len(y_train))
        wrong, loss_sum = 0, 0.0
        for first in range(0, len(order), batch):
            index = order[first:first + batch]
            logits = model(Tensor(x_train[index]))
            loss = cross_entropy(logits, y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            wrong += int((logits.data.argmax(axis=1) != y_train[index]).sum())
            loss_sum += loss.item() * len(index)
        curves["train_error"].append(wrong / len(order))
        curves["train_loss"].append(loss_sum / len(order))
        curves["test_error"].append(evaluate(model, data.x_test, data.y_test)[0])
    final_train_error, final_train_loss = evaluate(model, x_train, y_train)
    state = {"state": dict(model.state_dict())} if settings.get("keep_state") else {}
    return {**state, "name": f"{'plain' if plain else 'resnet'}-{depth}", "depth": depth,
            "plain": plain,
            "parameters": model.num_parameters(), "train_images": len(y_train), **curves,
            "final_train_error": final_train_error, "final_train_loss": final_train_loss,
            "final_test_error": curves["test_error"][-1],
            "mean_train_error": float(np.mean(curves["train_error"])),
            "seconds": time.perf_counter() - start_time,
            "cpu_seconds": time.process_time() - start_cpu}


def train_all(settings: dict, workers: int) -> list:
    """Every (depth, plain) run, the deepest first so that two workers finish together."""
    jobs = [(depth, plain) for depth in sorted(settings["depths"], reverse=True)
            for plain in (True, False)]
    with single_blas_thread_pool(workers) as pool, \
            Progress(total=len(jobs), desc="degradation (networks trained)") as bar:
        futures = [pool.submit(train_one, depth, plain, settings) for depth, plain in jobs]
        for _ in as_completed(futures):
            bar.update()
        runs = [future.result() for future in futures]
    return sorted(runs, key=lambda run: (not run["plain"], run["depth"]))


def verdict(runs: list) -> dict:
    """Each depth against the next one up, by one rule for plain and residual networks alike:
    the deeper one trains worse if its final error on the whole training set is higher by more
    than TOLERANCE. Degradation is shown when some deeper plain network trains worse and no
    deeper residual network does."""
    final = {(r["plain"], r["depth"]): r["final_train_error"] for r in runs}
    depths = sorted({r["depth"] for r in runs})
    pairs = list(zip(depths, depths[1:]))

    def worse(plain: bool) -> list:
        return [final[plain, deep] > final[plain, shallow] + TOLERANCE for shallow, deep in pairs]
    plain_worse, residual_worse = worse(True), worse(False)
    return {"depth_pairs": pairs, "tolerance": TOLERANCE,
            "plain_deeper_trains_worse": plain_worse,
            "residual_deeper_trains_worse": residual_worse,
            "residual_not_worse_than_plain_at_every_depth": all(
                final[False, d] <= final[True, d] + TOLERANCE for d in depths),
            "degradation_shown": any(plain_worse) and not any(residual_worse)}


def plot(runs: list, out) -> str:
    """He et al.'s Fig. 6 shape: plain nets left, residual nets right, the same axes; bold
    lines the training error, dashed the test error."""
    from matplotlib.ticker import FuncFormatter

    from .plotting import save_figure, subplots
    fig, axes = subplots(1, 2, size=(5.5, 4.0), sharey=True)
    depths = sorted({r["depth"] for r in runs})
    colours = dict(zip(depths, ["tab:green", "tab:orange", "tab:red", "tab:purple",
                                "tab:brown", "tab:blue", "tab:gray"]))
    for ax, plain in zip(axes, (True, False)):
        for run in (r for r in runs if r["plain"] == plain):
            epochs = np.arange(1, len(run["train_error"]) + 1)
            colour = colours[run["depth"]]
            ax.plot(epochs, 100 * np.array(run["train_error"]), color=colour, lw=2,
                    label=f"{run['name']} train")
            ax.plot(epochs, 100 * np.array(run["test_error"]), color=colour, lw=1, ls="--",
                    label=f"{run['name']} test")
        ax.set_title("plain networks" if plain else "residual networks")
        ax.set_xlabel("epoch")
        ax.set_yscale("symlog", linthresh=1.0)  # logarithmic above 1%, linear down to 0
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    axes[0].set_ylabel("error (%): train bold, test dashed")
    return save_figure(fig, out, "degradation")


def table(runs: list) -> dict:
    rows = [[r["name"], r["parameters"], 100 * r["final_train_error"], r["final_train_loss"],
             100 * r["final_test_error"], 100 * r["mean_train_error"], round(r["cpu_seconds"], 1)]
            for r in runs]
    return {"title": "Degradation on the 8x8 digits: final errors (%), same training budget",
            "columns": ["network", "parameters", "train error %", "train loss", "test error %",
                        "mean train error % over epochs", "CPU seconds"],
            "rows": rows,
            "note": "train error, loss and test error: eval mode on the whole set after the "
                    "last epoch; mean train error: the area under the training curve (how fast "
                    "it trained)"}


def print_table(tab: dict) -> None:
    print(tab["title"])
    print(f"  {'network':<11} {'params':>8} {'train %':>8} {'train loss':>10} {'test %':>7}"
          f" {'mean train %':>13} {'CPU s':>8}")
    for name, params, train, loss, test, mean, seconds in tab["rows"]:
        print(f"  {name:<11} {params:>8} {train:>8.2f} {loss:>10.4f} {test:>7.2f} {mean:>13.2f}"
              f" {seconds:>8.1f}")


def run(args: argparse.Namespace) -> dict:
    settings = {**TRAINING, **(QUICK if args.quick else FULL), "lr": args.lr,
                "block": args.block, "seed": args.seed, "quick": args.quick}
    if args.depths:
        settings["depths"] = tuple(args.depths)
    if args.epochs:
        settings["epochs"] = args.epochs
    started = time.perf_counter()
    runs = train_all(settings, args.workers)
    result = {"settings": {**settings, "workers": args.workers},
              "runs": runs, "verdict": verdict(runs), "tables": [table(runs)],
              "figures": [plot(runs, args.out)],
              "seconds": time.perf_counter() - started}
    print_table(result["tables"][0])
    v = result["verdict"]
    for (shallow, deep), plain, residual in zip(v["depth_pairs"], v["plain_deeper_trains_worse"],
                                                v["residual_deeper_trains_worse"]):
        print(f"  {shallow} -> {deep}: deeper trains worse (final train error higher by more "
              f"than {100 * TOLERANCE:g} points)? plain: {plain}, residual: {residual}")
    print(f"degradation shown: {v['degradation_shown']}"
          + (" (quick mode: too short to conclude anything)" if args.quick else ""))
    print(f"figure: {result['figures'][0]}   ({result['seconds']:.0f} s)")
    return result


main = make_main(__name__)

if __name__ == "__main__":
    main()
