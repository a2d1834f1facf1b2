"""Seed 003's picture: how far down a plain and a residual stack a gradient reaches.

A unit-norm gradient g is sent into the top of a stack of `depth` layers

    plain     x -> relu(W x + b)          (nets.PlainMLP)
    residual  x -> x + relu(W x + b)      (nets.ResMLP)

and ||dL/d(input of layer k)|| is recorded for every layer k with nets.Probe (the engine fills
the .grad of every intermediate tensor). Two initialisations, the same random draws for plain
and residual:

    default   PyTorch's nn.Linear init, U(-1/sqrt(n), 1/sqrt(n)): each plain layer shrinks the
              gradient by about sqrt(1/6), so it fades geometrically (seed 003's picture);
    kaiming   He init N(0, sqrt(2/n)), residual branches scaled by 1/sqrt(depth) (seed 000's
              recipe): plain still attenuates, only more slowly (seed 002's point).

    python -m demos gradient_reach [--quick] [--depth 20] [--width 16]
"""
from __future__ import annotations

import argparse
import math

import numpy as np

import nets
from nets.probes import probe_layers, weight_grad_norms
from tinygrad_res import Tensor

from .cli import make_main, positive_int
from .tables import format_table, make_table

SUMMARY = ("Seed 003: gradient magnitude per layer in a plain vs a residual stack, "
           "drawn as two columns of layers")

INITS = ("default", "kaiming")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depth", type=positive_int, default=None,
                        help="layers in each stack (default: 20; --quick: 8)")
    parser.add_argument("--width", type=positive_int, default=16, help="features (default: 16)")
    parser.add_argument("--batch", type=positive_int, default=32, help="batch size (default: 32)")


def make_stack(init: str, residual: bool, depth: int, width: int, seed: int) -> nets.Module:
    if init == "default":
        return (nets.ResMLP if residual else nets.PlainMLP)(depth, width, seed=seed)
    return nets.kaiming_mlp(depth, width, residual,
                            1.0 / math.sqrt(depth) if residual else 1.0, seed=seed)


def gradient_per_layer(model: nets.Module, x: np.ndarray, g: np.ndarray) -> dict:
    """||dL/d(input of layer k)|| for k = 1..depth, for L = <g, model(x)> with ||g|| = 1,
    and ||dL/dW_k|| of each layer's weight."""
    x0 = Tensor(x, requires_grad=True, name="x")
    with probe_layers(model) as probe:
        model(x0).backward(g)
    outputs = probe.grad_norm()  # gradient at each layer's output; layer k's input is k-1's
    reach = [float(np.linalg.norm(x0.grad))] + [float(v) for v in outputs[:-1]]
    return {"input_grad": reach, "weight_grad": [float(v) for v in weight_grad_norms(model)]}


def measure_reach(depth: int, width: int, batch: int, seed: int,
                  inits: tuple = INITS) -> dict:
    """{(init, residual): gradient_per_layer(...)} for a unit gradient g at the top of each
    stack, on one input batch x; x and g are drawn from default_rng(seed) before any weight."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    g = rng.standard_normal((batch, width))
    g /= np.linalg.norm(g)
    return {(init, residual): gradient_per_layer(
                make_stack(init, residual, depth, width, seed), x, g)
            for init in inits for residual in (False, True)}


def run(args: argparse.Namespace) -> dict:
    depth = args.depth or (8 if args.quick else 20)
    measured = measure_reach(depth, args.width, args.batch, args.seed)
    columns = [(init, residual) for init in INITS for residual in (False, True)]
    rows = [[k + 1] + [measured[c]["input_grad"][k] for c in columns]
            for k in reversed(range(depth))]
    table = make_table(
        f"||dL/d(input of layer k)|| for a unit gradient at the top of {depth} layers "
        f"(width {args.width}, batch {args.batch})",
        ["layer", "plain default", "residual default", "plain kaiming", "residual kaiming"],
        rows,
        note=("Layer 1 is the bottom. Default = PyTorch's Linear init; kaiming = He init, "
              "residual branches / sqrt(depth). Plain fades toward the bottom; residual keeps "
              "at least the gradient sent in at every layer here (the +1 in each layer's "
              "Jacobian I + D W), and grows because each branch adds a path of its own. "
              "Seed 003 publishes no numbers."))
    print(format_table(table))
    result = {"depth": depth, "layers": list(range(1, depth + 1)), "tables": [table],
              "figures": [plot(measured, depth, args)]}
    for init, residual in columns:
        key = f"{'residual' if residual else 'plain'}_{init}"
        result[key] = measured[init, residual]["input_grad"]
        result[f"{key}_weight_grad"] = measured[init, residual]["weight_grad"]
    return result


def plot(measured: dict, depth: int, args: argparse.Namespace) -> str:
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import MaxNLocator

    from .plotting import PLAIN_COLOR, RESIDUAL_COLOR, save_figure, subplots
    fig, axes = subplots(1, 3, size=(3.6, 5.0), gridspec_kw={"width_ratios": [1, 1, 1.6]})
    values = np.array([v["input_grad"] for v in measured.values()])
    positive = values[values > 0]  # a dead layer's exact 0 has no place on a log scale
    colours = LogNorm(vmin=positive.min() if positive.size else 1e-300,
                      vmax=max(values.max(), 1.0))
    for ax, init in zip(axes[:2], INITS):
        grid = np.array([measured[init, False]["input_grad"],
                         measured[init, True]["input_grad"]]).T
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="magma", norm=colours,
                          extent=(-0.5, 1.5, 0.5, depth + 0.5))
        ax.set_xticks([0, 1], ["plain", "residual"])
        ax.set_ylabel("layer (1 = bottom)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{init} init")
    fig.colorbar(image, ax=axes[1], label="||dL/d input of layer||")
    ax = axes[2]
    layers = np.arange(1, depth + 1)
    for (init, residual), result in measured.items():
        ax.plot(result["input_grad"], layers, "-" if init == "default" else "--",
                color=RESIDUAL_COLOR if residual else PLAIN_COLOR,
                label=f"{'residual' if residual else 'plain'}, {init}")
    ax.set_xscale("log")
    ax.set_xlabel("gradient norm (1 sent in at the top)")
    ax.set_ylabel("layer")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize="small")
    return save_figure(fig, args.out, "gradient_reach")


main = make_main(__name__)

if __name__ == "__main__":
    main()
