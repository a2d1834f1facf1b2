"""Three ways to the same gradient, for every network and block of nets:

    autodiff     mse_loss(model(x), target).backward()       (the engine)
    manual       nets.manual.loss_and_grads(...)             (the chain rule written out in numpy)
    finite diff  tinygrad_res.numerical_grad                 (central differences, no backward)

For each layer (the parameters sharing a name prefix: "fc1" holds fc1.weight and fc1.bias)
the table gives the largest relative disagreement of each pair,

    rel(a, b) = max |a - b| / max(max |a|, max |b|)

with both maxima over all the layer's entries, weight and bias together. (Entry by entry would
be meaningless where a gradient is exactly 0 in theory: a bias followed by batch norm, whose
mean subtraction cancels it, gets rounding noise from every method.) Autodiff and manual
should agree to rounding (~1e-16); finite differences carry an error of order eps^2 plus
rounding / eps (~1e-9 for eps = 1e-6).

    python -m demos autodiff_vs_manual [--quick]
"""
from __future__ import annotations

import argparse
from collections import OrderedDict
from typing import Callable, List, Tuple

import numpy as np

import nets
from nets.losses import mse_loss
from nets.manual_conv import basic_block_backward, basic_block_forward
from nets.resnet import BasicBlock
from tinygrad_res import Tensor, numerical_grad

from .cli import at_least, make_main, positive_float
from .tables import format_table, make_table

SUMMARY = ("Autodiff vs hand-written numpy backprop vs finite differences, max relative error "
           "per layer, for every network and block in nets")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch", type=at_least(2), default=5,
                        help="samples per check, at least 2 for batch norm (default: 5)")
    parser.add_argument("--eps", type=positive_float, default=1e-6,
                        help="finite-difference step (default: 1e-6)")


def vector_models(seed: int, quick: bool) -> List[Tuple[str, nets.Module, int]]:
    """(label, model, input width): every vector network and block with a manual backward."""
    rng = np.random.default_rng(seed)
    models = [
        ("PlainMLP(3, 4)", nets.PlainMLP(3, 4, seed=rng), 4),
        ("ResMLP(3, 4)", nets.ResMLP(3, 4, seed=rng), 4),
        ("PostActBlock(4, norm=None)  [seed 002]", nets.PostActBlock(4, norm=None, seed=rng), 4),
        ("PostActBlock(4, norm=layer)", nets.PostActBlock(4, seed=rng), 4),
        ("PreActBlock(4, norm=layer)", nets.PreActBlock(4, seed=rng), 4),
        ("HighwayLayer(4)", nets.HighwayLayer(4, seed=rng), 4),
    ]
    if not quick:
        models += [
            ("PostActBlock(4 -> 6, norm=batch)  [projection]",
             nets.PostActBlock(4, 6, norm="batch", seed=rng), 4),
            ("PreActBlock(4, norm=batch)", nets.PreActBlock(4, norm="batch", seed=rng), 4),
            ("BottleneckBlock(8, 4)", nets.BottleneckBlock(8, 4, seed=rng), 8),
            ("DeepResNet(4, 3 blocks)", nets.DeepResNet(4, 3, seed=rng), 4),
            ("ResidualStack(3, 4, preact)", nets.ResidualStack(3, 4, "preact", seed=rng), 4),
        ]
    return models


def manual_vector(model: nets.Module, x: np.ndarray, target: np.ndarray) -> list:
    return nets.manual.loss_and_grads(model, x, target)[1]


def manual_basic_block(model: BasicBlock, x: np.ndarray, target: np.ndarray) -> list:
    """nets/manual_conv.py's BasicBlock backward, its gradients put in parameter order."""
    names = {"conv1.weight": "conv1", "conv2.weight": "conv2", "bn1.weight": "bn1_weight",
             "bn1.bias": "bn1_bias", "bn2.weight": "bn2_weight", "bn2.bias": "bn2_bias"}
    params = {names[n]: p.data for n, p in model.named_parameters()}
    out, cache = basic_block_forward(x, params)
    _, grads = basic_block_backward(2.0 * (out - target) / out.size, cache)
    return [grads[names[n]] for n, _ in model.named_parameters()]


def relative_error(a: List[np.ndarray], b: List[np.ndarray]) -> float:
    """max |a - b| / max(max |a|, max |b|) over all entries of the arrays of one layer."""
    difference = max(float(np.abs(x - y).max()) for x, y in zip(a, b))
    scale = max(max(float(np.abs(x).max()), float(np.abs(y).max())) for x, y in zip(a, b))
    return 0.0 if scale == 0 else difference / scale


def compare(model: nets.Module, x: np.ndarray, target: np.ndarray, manual: Callable,
            eps: float) -> "OrderedDict[str, list]":
    """layer -> [autodiff vs manual, autodiff vs finite differences, manual vs finite diff]."""
    names = [name for name, _ in model.named_parameters()]
    params = list(model.parameters())
    model.zero_grad()
    mse_loss(model(Tensor(x)), Tensor(target)).backward()
    autodiff = [p.grad.copy() for p in params]
    by_hand = manual(model, x, target)
    # numerical_grad nudges each parameter's .data in place; fn reads them through the model
    numeric = numerical_grad(lambda *_: mse_loss(model(Tensor(x)), Tensor(target)), *params,
                             eps=eps)
    grouped: "OrderedDict[str, list]" = OrderedDict()
    for name, *grads in zip(names, autodiff, by_hand, numeric):
        grouped.setdefault(name.rsplit(".", 1)[0], []).append(grads)
    layers: "OrderedDict[str, list]" = OrderedDict()
    for layer, entries in grouped.items():
        a, m, n = zip(*entries)
        layers[layer] = [relative_error(a, m), relative_error(a, n), relative_error(m, n)]
    return layers


def run(args: argparse.Namespace) -> dict:
    rng = np.random.default_rng(args.seed)
    checks = []
    for label, model, width in vector_models(args.seed, args.quick):
        x = rng.standard_normal((args.batch, width))
        target = rng.standard_normal(model(Tensor(x)).shape)
        checks.append((label, model, x, target, manual_vector))
    block = BasicBlock(2, 2, seed=args.seed)
    x = rng.standard_normal((2, 2, 4, 4))
    checks.append(("resnet.BasicBlock(2, 2) conv + batch norm", block, x,
                   rng.standard_normal(x.shape), manual_basic_block))
    results, rows = OrderedDict(), []
    for label, model, x, target, manual in checks:
        results[label] = compare(model, x, target, manual, args.eps)
        rows += [[label, layer] + errors for layer, errors in results[label].items()]
    table = make_table(
        "Max relative error per layer: rel(a, b) = max|a - b| / max(max|a|, max|b|)",
        ["network", "layer", "autodiff vs manual", "autodiff vs finite diff",
         "manual vs finite diff"], rows,
        note=(f"MSE loss on a random batch of {args.batch} (conv: 2 images 2x4x4), float64, "
              f"central differences with eps = {args.eps:g}. Autodiff and the hand-written "
              f"numpy backward agree to rounding; both agree with finite differences to the "
              f"accuracy finite differences have."))
    print(format_table(table))
    worst = [max(r[2 + k] for r in rows) for k in range(3)]
    print(f"worst over all layers: autodiff vs manual {worst[0]:.1e}, autodiff vs finite diff "
          f"{worst[1]:.1e}, manual vs finite diff {worst[2]:.1e}")
    return {"networks": results, "max_autodiff_vs_manual": worst[0],
            "max_autodiff_vs_fd": worst[1], "max_manual_vs_fd": worst[2],
            "eps": args.eps, "tables": [table], "figures": [plot(results, args)]}


def plot(results: dict, args: argparse.Namespace) -> str:
    from .plotting import save_figure, subplots
    fig, ax = subplots(size=(9.0, 0.35 * len(results) + 1.5))
    labels = list(results)
    kinds = ["autodiff vs manual", "autodiff vs finite diff", "manual vs finite diff"]
    positions = np.arange(len(labels))
    for k, kind in enumerate(kinds):
        worst = [max(errors[k] for errors in results[label].values()) for label in labels]
        # exact agreement (0) would vanish from a log axis: show it at the axis floor
        ax.barh(positions + (k - 1) * 0.27, np.maximum(worst, 1e-18), height=0.27, label=kind)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(1e-18, 1e-1)
    ax.set_xlabel("max relative error over the network's layers")
    ax.legend(loc="lower right", fontsize="small")
    return save_figure(fig, args.out, "autodiff_vs_manual")


main = make_main(__name__)

if __name__ == "__main__":
    main()
