"""Seed 003's "step through the block": one self-contained HTML page for a small residual block,
and seed 003's whole view, the same stepper with the two reach columns beneath it.

The block is nets.ResMLP's layer, y = x + relu(W x + b), with an MSE loss on a batch of 2. The
page (tinygrad_res.viz.save_stepper) shows the graph and walks the forward pass, then the
backward pass one op at a time: at the `add` of the skip connection the gradient is handed to
both inputs unchanged, and x receives the sum of what comes down the skip and down the branch.
The same backward steps are printed here as a table.

Two more pages step through real models, each tensor named by the module that made it
(`viz.name_modules`): out/stepper_resnet8.html (a ResNet-8 on 8x8 images, cross-entropy) and
out/stepper_resmlp20.html (a 20-block ResMLP, each block folded into one node that opens on
click). The view follows the current op; the wheel zooms and a drag pans.

The second page, out/block_and_reach.html, puts the stepper above the columns of
demos/gradient_reach.py (a unit gradient sent down a plain and a residual stack of 20 layers,
coloured by magnitude): "See the block, and the reach".

    python -m demos stepper [--blocks 1] [--width 3]      # then open out/block_and_reach.html
"""
from __future__ import annotations

import argparse

import numpy as np

import nets
from nets.losses import cross_entropy, mse_loss
from nets.probes import Probe
from tinygrad_res import Tensor

from .cli import make_main, positive_int
from .explorer.block_page import compose, reach_columns
from .tables import format_table, make_table

SUMMARY = ("Seed 003: an HTML page to step through the forward and backward pass of a residual "
           "block, and the same with the gradient's reach in a plain and a residual stack")
STEPPER_TITLE = "Step through a residual block: h = x + relu(W x + b)"
REACH_DEPTH, REACH_WIDTH = 20, 16  # demos/gradient_reach.py's defaults


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--blocks", type=positive_int, default=1,
                        help="residual layers x + relu(Wx + b) in a row (default: 1)")
    parser.add_argument("--width", type=positive_int, default=3, help="features (default: 3)")


def residual_block_loss(blocks: int, width: int, seed: int) -> tuple:
    """(loss, model) for an MSE loss through nets.ResMLP(blocks, width) on a batch of 2, with
    the intermediate tensors named as in the seed: z = Wx + b, F = relu(z), y = x + F."""
    rng = np.random.default_rng(seed)
    model = nets.ResMLP(blocks, width, seed=seed)
    x = Tensor(rng.standard_normal((2, width)), requires_grad=True, name="x")
    target = Tensor(rng.standard_normal((2, width)), name="target")
    parts = {}
    for k, layer in enumerate(model.layers, start=1):
        parts.update({f"z{k}": layer.linear, f"F{k}": layer.relu, f"h{k}": layer})
    with Probe(parts) as probe:  # the modules' outputs, to label them on the page
        y = model(x)
    for name, tensor in probe.outputs.items():
        tensor.name = name
    y.name = "y"
    loss = mse_loss(y, target)
    squared = loss.parents[0]  # mse_loss = mean(diff * diff), diff = y - target
    squared.name, squared.parents[0].name, loss.name = "sq", "diff", "loss"
    return loss, model


def model_stepper_loss(name: str, seed: int) -> tuple:
    """(loss, viz.name_modules record) of "resnet8" (a ResNet-8 on two 8x8 one-channel images,
    cross-entropy) or "resmlp<N>" (an N-block width-8 ResMLP, MSE on a batch of 4)."""
    from tinygrad_res import viz

    rng = np.random.default_rng(seed)
    if name == "resnet8":
        model = nets.ResNet(8, num_classes=10, seed=seed)
        with viz.name_modules(model) as named:
            x = Tensor(rng.standard_normal((2, 1, 8, 8)), name="images")
            loss = cross_entropy(model(x), np.array([1, 3]))
    else:
        model = nets.ResMLP(int(name.removeprefix("resmlp")), 8, seed=seed)
        with viz.name_modules(model) as named:
            x = Tensor(rng.standard_normal((4, 8)), name="x")
            loss = mse_loss(model(x), Tensor(rng.standard_normal((4, 8)), name="target"))
    loss.name = "loss"
    return loss, named


def describe_sent(sent) -> str:
    """'x (via skip, summed)' for each input a backward step sends a gradient to."""
    parts = []
    for gradient in sent:
        if gradient.contribution is None:
            continue
        notes = [note for note, on in (("via skip", gradient.via_skip),
                                       ("summed", gradient.accumulated)) if on]
        parts.append(gradient.to.name + (f" ({', '.join(notes)})" if notes else ""))
    return ", ".join(parts)


def run(args: argparse.Namespace) -> dict:
    from tinygrad_res import viz  # the page needs the graphviz package and a renderer

    loss, model = residual_block_loss(args.blocks, args.width, args.seed)
    names = list(model.named_parameters())
    steps = list(viz.trace_backward(loss, names=names))
    rows = [[s.index + 1, s.op, s.output.name, float(np.linalg.norm(s.grad_output)),
             describe_sent(s.sent)] for s in steps]
    table = make_table(
        f"Backward through {args.blocks} residual layer(s) x + relu(Wx + b), width {args.width}",
        ["step", "op", "output", "||grad arriving||", "sends a gradient to"], rows,
        note=("'summed': the tensor already had a gradient from another use and the two add "
              "up: x is used by the branch and by the skip. The page shows each step with "
              "its values."))
    print(format_table(table))
    html = viz.stepper_html(loss, names=names, title=STEPPER_TITLE)
    page = args.out / "stepper.html"
    page.write_text(html, encoding="utf-8")
    reach = reach_columns(REACH_DEPTH, REACH_WIDTH, args.seed)
    block_page = args.out / "block_and_reach.html"
    block_page.write_text(compose(html, reach, REACH_DEPTH, REACH_WIDTH), encoding="utf-8")
    model_pages = {}
    for name, title in (("resnet8", "Step through a ResNet-8's loss"),
                        ("resmlp20", "Step through a 20-block ResMLP's loss")):
        model_loss, named = model_stepper_loss(name, args.seed)
        model_pages[name] = str(viz.save_stepper(model_loss, args.out / f"stepper_{name}.html",
                                                 names=named, clusters=named.clusters,
                                                 title=title))
    forward_steps = len(list(viz.trace_forward(loss, names)))
    print(f"\nstep-through page ({forward_steps} forward and {len(steps)} backward steps): "
          f"{page.resolve()}\nwith the reach of a plain and a residual stack beneath it "
          f"(seed 003's view): {block_page.resolve()}\nreal models, tensors named by module: "
          f"{', '.join(model_pages.values())}")
    # the report embeds the page named in "pages": the block-and-reach view holds the stepper
    return {"page": str(page), "block_page": str(block_page), "pages": [str(block_page)],
            "model_pages": model_pages,
            "reach": reach, "forward_steps": forward_steps, "backward_steps": len(steps),
            "loss": loss.item(), "tables": [table], "figures": []}


main = make_main(__name__)

if __name__ == "__main__":
    main()
