"""Seed 004's ResNet family table: ResNet-18/34 (basic blocks) and 50/101/152 (bottlenecks),
built by nets.resnet18() ... nets.resnet152() in the ImageNet layout, beside the seed's table.

For each network: blocks per stage, parameters (beside the seed's rounded millions and
torchvision's exact counts), the shape after the stem and after each stage from a real forward
pass of one 224x224 image (float32, timed), and how many blocks need a projection shortcut.
The seed's top-5 errors need ImageNet training and are NOT reproduced here.

    python -m demos resnet_family [--quick] [--size 224] [--depths 18 34 50 101 152]
"""
from __future__ import annotations

import argparse
import gc
import time

import numpy as np

from .cli import at_least, make_main
from .tables import format_table, make_table

SUMMARY = ("Seed 004: the ResNet family table (18/34/50/101/152): parameters, blocks, stage "
           "shapes of a real 224x224 forward pass, projection shortcuts")

# Seed 004's table (data): block type, blocks per stage, parameters (millions), top-5 error %.
PUBLISHED = {18: ("basic", [2, 2, 2, 2], 11, 10.92), 34: ("basic", [3, 4, 6, 3], 21, 9.46),
             50: ("bottleneck", [3, 4, 6, 3], 25, 7.13),
             101: ("bottleneck", [3, 4, 23, 3], 44, 6.21),
             152: ("bottleneck", [3, 8, 36, 3], 60, 5.71)}
PUBLISHED_STAGES = [56, 28, 14, 7]  # "for 224x224 input"
PUBLISHED_PROJECTIONS = "Only two of every ~8 blocks in a typical ResNet need projections"
TORCHVISION = {18: 11_689_512, 34: 21_797_672, 50: 25_557_032, 101: 44_549_160,
               152: 60_192_808}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depths", type=int, nargs="+", choices=sorted(PUBLISHED),
                        default=None, help="which networks (default: all five; --quick: 18 50)")
    parser.add_argument("--size", type=at_least(32), default=None,
                        help="image side for the forward pass (default: 224; --quick: 64)")


def measure(depth: int, size: int, seed: int) -> dict:
    """Build ResNet-`depth`, run one size x size image through it; what was found."""
    from nets.imagenet import block_count, projection_blocks, resnet
    from tinygrad_res import Tensor, no_grad
    start = time.process_time()
    model = resnet(depth, seed=seed)
    built = time.process_time() - start
    parameters = model.num_parameters()
    model.to(np.float32).eval()
    image = Tensor(np.random.default_rng(seed).standard_normal((1, 3, size, size)),
                   dtype=np.float32)
    wall, cpu = time.perf_counter(), time.process_time()
    with no_grad():
        h = model.stem(image)
        shapes = [h.shape]
        for stage in model.stages():
            h = stage(h)
            shapes.append(h.shape)
        logits = model.fc(model.avgpool(h))
    found = {"depth": depth, "block": model.block, "layers": list(model.layers),
             "parameters": parameters, "blocks": block_count(model),
             "projections": projection_blocks(model), "stem_shape": list(shapes[0]),
             "stage_shapes": [list(s) for s in shapes[1:]], "logits_shape": list(logits.shape),
             "forward_seconds": time.perf_counter() - wall,
             "forward_cpu_seconds": time.process_time() - cpu, "build_cpu_seconds": built}
    del model, h, logits
    gc.collect()  # ResNet-152 holds 60M parameters: free each net before the next
    return found


def verdict(found: list, size: int) -> dict:
    layouts = all([r["block"], r["layers"]] == list(PUBLISHED[r["depth"]][:2]) for r in found)
    millions = all(r["parameters"] // 1_000_000 == PUBLISHED[r["depth"]][2] for r in found)
    exact = all(r["parameters"] == TORCHVISION[r["depth"]] for r in found)
    sides = [[s[2] for s in r["stage_shapes"]] for r in found]
    stages = size == 224 and all(s == PUBLISHED_STAGES for s in sides)
    widths = all([s[1] for s in r["stage_shapes"]] ==
                 [w * (4 if r["block"] == "bottleneck" else 1) for w in (64, 128, 256, 512)]
                 for r in found)
    shares = ", ".join(f"{r['projections']}/{r['blocks']} (ResNet-{r['depth']})" for r in found)
    # "two of every ~8": two in 6 to 10 blocks, a share from 1/5 to 1/3
    near = [r["depth"] for r in found if 0.2 <= r["projections"] / r["blocks"] <= 1 / 3]
    projections = (f"projection blocks: {shares}; the seed's 'two of every ~8' (a share "
                   f"between 2/10 and 2/6) fits " + (", ".join(f"ResNet-{d}" for d in near)
                                                    or "none")
                   + ": the deeper the network, the smaller the share (always 3 or 4 blocks)")
    return {"layouts_match": layouts, "parameters_match_in_millions": millions,
            "parameters_equal_torchvision": exact, "stages_match": stages,
            "channels_double": widths, "projection_fits": near, "projections": projections}


def run(args: argparse.Namespace) -> dict:
    depths = args.depths or ([18, 50] if args.quick else sorted(PUBLISHED))
    size = args.size or (64 if args.quick else 224)
    found = []
    for depth in depths:
        found.append(measure(depth, size, args.seed))
        print(f"ResNet-{depth}: {found[-1]['parameters']:,} parameters, forward of one "
              f"{size}x{size} image {found[-1]['forward_cpu_seconds']:.2f} s CPU "
              f"({found[-1]['forward_seconds']:.2f} s wall)", flush=True)
    rows = [[f"ResNet-{r['depth']}", r["block"], str(r["layers"]),
             str(PUBLISHED[r["depth"]][1]), f"{r['parameters']:,}",
             f"{PUBLISHED[r['depth']][2]}M", f"{TORCHVISION[r['depth']]:,}",
             " ".join(f"{s[1]}x{s[2]}x{s[3]}" for s in r["stage_shapes"]),
             f"{r['projections']}/{r['blocks']}", f"{r['forward_cpu_seconds']:.2f}",
             f"{PUBLISHED[r['depth']][3]}"] for r in found]
    v = verdict(found, size)
    note = (f"Stage shapes: channels x height x width after each stage, from a forward pass of "
            f"one {size}x{size} image (float32, no_grad; after the stem: "
            f"{'x'.join(map(str, found[0]['stem_shape'][1:]))}). Blocks per stage "
            f"{'match' if v['layouts_match'] else 'do NOT match'} the seed's table; parameters "
            f"{'equal' if v['parameters_equal_torchvision'] else 'do NOT equal'} torchvision's "
            f"and {'match' if v['parameters_match_in_millions'] else 'do NOT match'} the seed's "
            f"millions; spatial sizes "
            + ("56, 28, 14, 7 as published" if v["stages_match"] else
               f"are for {size}x{size}, not the published 224x224" if size != 224 else
               "do NOT match the published 56, 28, 14, 7")
            + f"; stage channels {'double' if v['channels_double'] else 'do NOT double'} "
              f"from stage to stage (64 -> 512, x4 out of a bottleneck). {v['projections']}. The "
              f"seed's top-5 errors (last column) need ImageNet training: NOT reproduced.")
    table = make_table("The ResNet family: ours beside seed 004's table",
                       ["network", "block", "blocks per stage", "seed", "parameters",
                        "seed", "torchvision", "stage shapes (C x H x W)",
                        "projection blocks", "forward CPU s", "seed top-5 %"], rows,
                       note=note)
    print(format_table(table))
    return {"size": size, "networks": found, "published": {str(k): v for k, v in
                                                           PUBLISHED.items()},
            "torchvision": {str(k): v for k, v in TORCHVISION.items()}, "verdict": v,
            "tables": [table], "figures": [plot(found, args)]}


def plot(found: list, args: argparse.Namespace) -> str:
    from .plotting import save_figure, subplots
    fig, (left, right) = subplots(1, 2, size=(5.0, 3.8))
    names = [f"ResNet-{r['depth']}" for r in found]
    left.bar(names, [r["parameters"] / 1e6 for r in found], color="tab:blue", label="ours")
    left.plot(names, [PUBLISHED[r["depth"]][2] for r in found], "s", color="tab:red",
              label="seed (M, rounded down)")
    left.set(ylabel="parameters (millions)", title="parameters")
    left.legend()
    right.bar(names, [r["forward_cpu_seconds"] for r in found], color="tab:gray")
    right.set(ylabel="CPU seconds", title="forward pass of one image (float32)")
    return save_figure(fig, args.out, "resnet_family")


main = make_main(__name__)

if __name__ == "__main__":
    main()
