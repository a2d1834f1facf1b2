"""Seeds 000 and 004: post-activation (ResNet v1) vs pre-activation (v2) blocks, 1000 deep.

    v1  x -> relu( norm(W2 relu(norm(W1 x))) + x )      a ReLU sits on the skip path
    v2  x -> W2 relu(norm(W1 relu(norm(x)))) + x        the skip path is a bare addition

A unit-norm gradient g is sent down from the top of the first d blocks of one stack
(nets.ResidualStack draws its blocks in order from one seed, so the first d blocks ARE the
d-block stack of that seed), and we measure what reaches the bottom:

- full: ||dL/dx_0||, everything the chain rule delivers, skip and branches;
- skip only: the same with every branch detached, i.e. what the "express elevator" alone
  carries. For v2 this is g itself (norm exactly 1) at any depth; for v1 it is g masked by the
  product of every block's final ReLU, and it fades with depth;
- ||dL/dW1||: the gradient of the first block's first weight matrix.

    python -m demos pre_vs_post [--quick] [--depths 1 3 10 30 100 300 1000] [--norm batch]
"""
from __future__ import annotations

import argparse

import numpy as np

import nets
from tinygrad_res import Tensor, grad

from .cli import Progress, at_least, make_main, positive_int
from .tables import format_table, make_table

SUMMARY = ("Seeds 000/004: gradient reaching the first layer through post-activation (v1) vs "
           "pre-activation (v2) residual blocks, up to 1000 deep")

KINDS = {"v1": "postact", "v2": "preact"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depths", type=positive_int, nargs="+", default=None,
                        help="numbers of blocks (default: 1 3 10 30 100 300 1000; "
                             "--quick: 1 10 100 1000)")
    parser.add_argument("--norm", choices=["batch", "layer", "none"], default=None,
                        help="normalisation in the blocks (default: batch, as seed 004; "
                             "--quick: none, four times fewer ops)")
    parser.add_argument("--width", type=positive_int, default=16, help="features (default: 16)")
    parser.add_argument("--batch", type=at_least(2), default=32,
                        help="batch size, at least 2 for batch norm (default: 32)")


def block_output(block: nets.Module, x: Tensor, skip_only: bool) -> Tensor:
    """The block's forward (as in nets/blocks.py), with the branch detached if `skip_only`:
    then backward can reach x only through the shortcut."""
    if isinstance(block, nets.PostActBlock):
        h = block.norm2(block.fc2(block.norm1(block.fc1(x)).relu()))
        return ((h.detach() if skip_only else h) + x).relu()
    h = block.fc2(block.norm2(block.fc1(block.norm1(x).relu())).relu())
    return (h.detach() if skip_only else h) + x


def gradients_reaching_bottom(kind: str, depths: list, norm, width: int, batch: int,
                              seed: int, skip_only: bool, bar: Progress) -> dict:
    """For each d in `depths`: ||dL/dx_0|| and ||dL/dW1|| for L = <g, x_d>, ||g|| = 1."""
    stack = nets.ResidualStack(max(depths), width, block=kind, seed=seed, norm=norm)
    rng = np.random.default_rng(seed + 1)
    x0 = Tensor(rng.standard_normal((batch, width)), requires_grad=True, name="x0")
    g = rng.standard_normal((batch, width))
    g /= np.linalg.norm(g)
    first_weight = stack.blocks[0].fc1.weight
    x, outputs = x0, {}
    for d, block in enumerate(stack.blocks, start=1):
        x = block_output(block, x, skip_only)
        if d in depths:
            outputs[d] = x
    result = {"input": [], "weight": []}
    for d in depths:
        dx0, dw = grad(outputs[d], [x0, first_weight], g, materialize_grads=True)
        result["input"].append(float(np.linalg.norm(dx0)))
        result["weight"].append(float(np.linalg.norm(dw)))
        bar.update()
    return result


def run(args: argparse.Namespace) -> dict:
    depths = sorted(set(args.depths or ([1, 10, 100, 1000] if args.quick
                                        else [1, 3, 10, 30, 100, 300, 1000])))
    norm_name = args.norm or ("none" if args.quick else "batch")
    norm = None if norm_name == "none" else norm_name
    measured = {}
    with Progress(total=4 * len(depths), desc="pre_vs_post") as bar:
        for version, kind in KINDS.items():
            for skip_only in (False, True):
                measured[version, skip_only] = gradients_reaching_bottom(
                    kind, depths, norm, args.width, args.batch, args.seed, skip_only, bar)
    rows = []
    for i, d in enumerate(depths):
        rows.append([d, measured["v1", False]["input"][i], measured["v2", False]["input"][i],
                     measured["v1", True]["input"][i], measured["v2", True]["input"][i],
                     measured["v1", False]["weight"][i], measured["v2", False]["weight"][i]])
    table = make_table(
        f"Gradient reaching the bottom of d blocks (norm={norm_name}, width {args.width}, "
        f"batch {args.batch}; a unit-norm gradient is sent down from the top)",
        ["blocks", "v1 full ||dL/dx0||", "v2 full ||dL/dx0||", "v1 skip only",
         "v2 skip only", "v1 ||dL/dW1||", "v2 ||dL/dW1||"], rows,
        note=("Skip only = every branch detached: what the identity path alone carries. v2's "
              "is exactly 1 at any depth (a bare addition); v1's final ReLU masks it block "
              "after block. The full gradient does not vanish in either at initialisation "
              "(the branches add their own paths, and at this init they grow with depth); "
              "the seeds publish no numbers for this."))
    print(format_table(table))
    figure = plot(depths, measured, norm_name, args)
    return {"depths": depths, "norm": norm_name,
            "v1_full": measured["v1", False]["input"], "v2_full": measured["v2", False]["input"],
            "v1_skip_only": measured["v1", True]["input"],
            "v2_skip_only": measured["v2", True]["input"],
            "v1_first_weight": measured["v1", False]["weight"],
            "v2_first_weight": measured["v2", False]["weight"],
            "tables": [table], "figures": [figure]}


def plot(depths: list, measured: dict, norm_name: str, args: argparse.Namespace) -> str:
    from .plotting import PLAIN_COLOR, RESIDUAL_COLOR, save_figure, subplots
    fig, (left, right) = subplots(1, 2, size=(5.5, 4.2))
    colours = {"v1": PLAIN_COLOR, "v2": RESIDUAL_COLOR}
    for version, colour in colours.items():
        left.plot(depths, measured[version, False]["input"], "o-", color=colour,
                  label=f"{version} full")
        skip = np.array(measured[version, True]["input"])
        # a log axis cannot show 0: a skip path masked to exactly 0 is left out (see table)
        left.plot(depths, np.where(skip > 0, skip, np.nan), "s--", color=colour,
                  label=f"{version} skip path only")
        right.plot(depths, measured[version, False]["weight"], "o-", color=colour,
                   label=version)
    left.axhline(1.0, color="grey", lw=0.8)
    left.set_title(f"||dL/dx0|| for ||dL/dx_top|| = 1 (norm={norm_name})")
    right.set_title("||dL/dW|| of the first block's first layer")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("number of blocks")
        ax.legend()
    return save_figure(fig, args.out, "pre_vs_post")


main = make_main(__name__)

if __name__ == "__main__":
    main()
