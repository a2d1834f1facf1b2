"""The README blocks of the ResNet family, ensembles, gating, residual-variant and transformer
demos, written from their --json output; demos/readme.py checks them with readme_blocks.py's."""
from __future__ import annotations

from typing import Dict

from .readme_blocks import Block, about, command, markdown_table, wrap

RESNET_FAMILY = ["resnet_family"]
HIGHWAY = ["highway_vs_residual"]
VARIANTS = ["residual_variants"]
ENSEMBLES = ["ensembles"]
TRANSFORMER = ["transformer_norm"]


def render_resnet_family(runs: Dict[str, dict]) -> str:
    d = runs["family"]
    rows = [[f"ResNet-{r['depth']}", r["block"], r["layers"], f"{r['parameters']:,}",
             f"{d['published'][str(r['depth'])][2]}M",
             " / ".join(f"{s[1]}x{s[2]}x{s[3]}" for s in r["stage_shapes"]),
             f"{r['projections']} of {r['blocks']}", d["published"][str(r["depth"])][3]]
            for r in d["networks"]]
    v = d["verdict"]
    cpu = sum(r["forward_cpu_seconds"] for r in d["networks"])
    words = (f"Blocks per stage {'match' if v['layouts_match'] else 'do NOT match'} the seed's "
             f"table; the parameter counts are exactly torchvision's "
             f"({'yes' if v['parameters_equal_torchvision'] else 'NO'}) and the seed's millions "
             f"rounded down; every stage has the published size "
             f"({'yes' if v['stages_match'] else 'NO'}). {v['projections'][0].upper() + v['projections'][1:]}. The "
             f"seed's top-5 errors need ImageNet "
             f"training and are NOT reproduced. The {len(d['networks'])} forward passes of one "
             f"{d['size']}x{d['size']} image take {about(cpu)} CPU seconds in all (float32).")
    return ("\n".join([wrap(f"`nets.resnet18()` ... `nets.resnet152()` build the ImageNet layout "
                            f"(nets/imagenet.py); {command(RESNET_FAMILY)} runs one "
                            f"{d['size']}x{d['size']} image through each and prints, beside "
                            f"seed 004's table:"), "",
                       markdown_table(["network", "block", "blocks per stage", "parameters",
                                       "seed", "stage outputs (C x H x W)", "projection blocks",
                                       "seed top-5 %"], rows), "", wrap(words)]))


def render_highway(runs: Dict[str, dict]) -> str:
    d = runs["highway"]
    rows = [[depth, label, cell["parameters"], f"{cell['median_train_loss']:.4f}",
             f"{100 * cell['median_train_error']:.2f}", f"{100 * cell['median_test_error']:.2f}",
             cell["diverged"]]
            for depth in d["depths"] for label, cells in d["summary"].items()
            for cell in [cells[str(depth)]]]
    words = (f"Verdict ({d['seeds']} seeds, medians): {d['verdict']['text']}. A highway layer has "
             f"twice the weights of a plain or residual one. The {len(d['runs'])} runs take "
             f"{about(d['cpu_seconds'])} CPU seconds.")
    return ("\n".join([wrap(f"{command(HIGHWAY)} (seeds 002/004: \"ResNets showed the gating was "
                            f"unnecessary - simple addition works better\"): MLPs on the digits, "
                            f"{d['epochs']} epochs of Adam at lr {d['lr']:g}, width "
                            f"{d['width']}:"), "",
                       markdown_table(["layers", "network", "parameters", "train loss",
                                       "train error %", "test error %", "diverged"], rows), "", wrap(words)]))


def render_variants(runs: Dict[str, dict]) -> str:
    d = runs["variants"]
    rows = [[depth, label, f"{cell['stream_std_at_init']:.3g}", f"{cell['initial_loss']:.3g}",
             f"{cell['median_train_loss']:.4f}", f"{100 * cell['median_test_error']:.2f}",
             cell["diverged"]]
            for depth in d["depths"] for label, cells in d["summary"].items()
            for cell in [cells[str(depth)]]]
    words = (f"Verdict ({d['seeds']} seeds, medians): {d['verdict']['text']}. The "
             f"{len(d['runs'])} runs take {about(d['cpu_seconds'])} CPU seconds.")
    return ("\n".join([wrap(f"{command(VARIANTS)} (seed 001's \"gated residuals, scaled "
                            f"residuals (a learned or fixed alpha)\", nets/variants.py): the same "
                            f"digits MLPs, every residual variant against x + F(x):"), "",
                       markdown_table(["layers L", "layer", "stream std at init",
                                       "initial loss", "train loss", "test error %",
                                       "diverged"], rows), "", wrap(words)]))


def render_ensembles(runs: Dict[str, dict]) -> str:
    d = runs["ensembles"]
    lesions, paths, n = d["lesions"], d["paths"], d["blocks"]
    residual = [e for e, k in zip(lesions["residual"]["deleted"], lesions["residual"]["kinds"])
                if k == "identity"]
    plain = [e for e in lesions["plain"]["deleted"] if e is not None]
    words = (f"{command(ENSEMBLES)} (Veit et al. 2016, seed 004) trains ResNet-{d['depth']} and "
             f"plain-{d['depth']} on the digits ({d['epochs']} epochs), then deletes one block at "
             f"test time: the ResNet's test error goes from {lesions['residual']['intact']:.2f}% "
             f"to {min(residual):.2f}-{max(residual):.2f}% when one of its {len(residual)} "
             f"identity blocks is deleted, the plain net's from "
             f"{lesions['plain']['intact']:.2f}% to {min(plain):.2f}-{max(plain):.2f}%. Of its "
             f"2^{n} paths, those shorter than n/2 = {n / 2:g} blocks carry "
             f"{100 * paths['short_share']:.0f}% of the total gradient magnitude, the most at "
             f"length {paths['peak_length']} (a path's gradient measured by routing the backward "
             f"pass through k sampled branches, {d['samples']} per length, times C(n, k)). "
             f"Verdict: {'holds' if d['verdict']['holds'] else 'does NOT hold in full'} - "
             f"{d['verdict']['text']}. The demo takes {about(d['seconds'])} seconds.")
    return wrap(words)


def render_transformer(runs: Dict[str, dict]) -> str:
    d = runs["transformer"]
    rows = [[depth, label, f"{cell['median_final']:.4f}",
             f"{100 * cell['median_accuracy']:.1f}", f"{cell['failed']} of {d['seeds']}",
             f"{cell['grad_last'] / cell['grad_first']:.3g}"]
            for depth in d["depths"] for label, cells in d["summary"].items()
            for cell in [cells[str(depth)]]]
    words = (f"Verdict: {d['verdict']['text']}. The seeds' claim about depth "
             f"{'holds' if d['verdict']['post_fails_beyond_12_pre_does_not'] else 'does NOT hold'}"
             f" here: post-LN fails in most runs deeper than 12 layers and pre-LN in none. The "
             f"{len(d['runs'])} runs take {about(d['cpu_seconds'])} CPU seconds.")
    return ("\n".join([wrap(f"{command(TRANSFORMER)}: pre-LN and post-LN causal transformers "
                            f"(nets.CausalLM, width {d['d_model']}, {d['nhead']} heads) reverse "
                            f"{d['task']['length']} symbols of {d['task']['vocab']}; Adam at lr "
                            f"{d['lr']:g} with no warm-up, {d['steps']} steps, {d['seeds']} "
                            f"seeds (chance level {d['chance']:.3f}):"), "",
                       markdown_table(["layers", "norm", "final loss", "accuracy %", "failed",
                                       "last / first layer ||grad|| at init"], rows), "", wrap(words)]))


BLOCKS: Dict[str, Block] = {
    "resnet_family": Block({"family": RESNET_FAMILY}, render_resnet_family, cheap=True),
    "highway_vs_residual": Block({"highway": HIGHWAY}, render_highway),
    "residual_variants": Block({"variants": VARIANTS}, render_variants),
    "ensembles": Block({"ensembles": ENSEMBLES}, render_ensembles),
    "transformer_norm": Block({"transformer": TRANSFORMER}, render_transformer),
}
