"""Seed 004's two explorers, offline: runs precomputed by the engine over a grid (depths x skip
on/off x seeds on the two spirals), played back in one self-contained page with the live app's
controls (out/explorers.html). The report embeds it; it says plainly that it is a replay and how
to start the live app (`python -m demos explore`).

Every run is demos/explorer/training.py's `train_steps`, as in the live app: the loss at every
step and ||dL/dh|| per layer at initialisation and every `--every` steps. The other settings
are fixed at the live app's defaults (width 32, the seeds' layer, He init with residual branches
/ sqrt(depth), SGD with momentum 0.9, lr 0.01).

    python -m demos explore_replay [--quick] [--depths 4 16 32] [--seeds 3] [--steps 200]
"""
from __future__ import annotations

import argparse
import dataclasses
import math

from .cli import Progress, make_main, positive_int, single_blas_thread_pool
from .explorer.config import RunConfig, control_spec
from .explorer.page import replay_page
from .explorer.training import train_steps
from .tables import format_table, make_table

SUMMARY = ("Seed 004: the degradation and gradient-flow explorers as an offline replay of runs "
           "precomputed over depths x skip x seeds (out/explorers.html)")
GRID_AXES = ("depth", "skip", "seed")
PLAYBACK = {"tick_ms": 40, "steps_per_tick": 6}  # 150 steps a second


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depths", type=positive_int, nargs="+", default=None,
                        help="depths of the grid (default: 4 16 32; --quick: 2 4)")
    parser.add_argument("--seeds", type=positive_int, default=None,
                        help="seeds 0..N-1 per depth and skip (default: 3; --quick: 1)")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="steps per run (default: 200; --quick: 20)")
    parser.add_argument("--every", type=positive_int, default=10,
                        help="keep the gradient column every N steps (default: 10)")
    parser.add_argument("--jobs", type=positive_int, default=None,
                        help="worker processes (default: 2; --quick: 1)")


def _significant(value: float, digits: int) -> float:
    """`value` rounded to `digits` significant digits, so the page stays small."""
    return float(f"{value:.{digits}g}") if math.isfinite(value) else value


def replay_run(job: tuple) -> dict:
    """Train one grid cell; what the page plays back. (Module level: sent to workers.)"""
    config, every = job
    losses, grads, status, message, chance = [], [], "done", f"{config.steps} steps done", None
    for step in train_steps(config):
        chance = step.chance
        if step.loss is None:
            status, message = "diverged", (f"diverged at step {step.step}: the loss is no "
                                           f"longer a finite number")
            break
        losses.append(_significant(step.loss, 5))
        if step.step % every == 0 or step.step == config.steps - 1:
            grads.append([step.step, [_significant(v, 4) for v in step.grad_norms]])
    return {"config": dataclasses.asdict(config), "label": config.label(), "losses": losses,
            "grads": grads, "status": status, "message": message, "chance": chance}


def grid_spec(depths: list, seeds: int, fixed: RunConfig) -> dict:
    """The live controls, with the grid's axes as choices and every other setting fixed."""
    spec = control_spec()
    for control in spec["controls"]:
        name = control["name"]
        control["default"] = getattr(fixed, name)
        if name == "depth":
            control.update(kind="choice", default=max(depths),
                           choices=[{"value": d, "label": str(d)} for d in depths])
        elif name == "seed":
            control.update(kind="choice", choices=[{"value": s, "label": str(s)}
                                                   for s in range(seeds)])
        elif name != "skip":
            control["fixed"] = True
    return spec


def seed_text(seeds: int) -> str:
    return "seed 0" if seeds == 1 else f"seeds 0-{seeds - 1}"


def banner(depths: list, seeds: int, fixed: RunConfig) -> str:
    return (f"Replay, not live: the runs in this page were computed in advance by the "
            f"tinygrad_res engine when it was built (two spirals, depths "
            f"{', '.join(map(str, depths))} x skip off/on x {seed_text(seeds)}, {fixed.steps} "
            f"steps, width {fixed.width}, He init with residual branches / sqrt(depth), SGD "
            f"with momentum 0.9, lr {fixed.lr:g}); Train plays one back at "
            f"{1000 * PLAYBACK['steps_per_tick'] // PLAYBACK['tick_ms']} steps a second. Only "
            f"depth, skip and seed can change here. To train any setting live, in the engine: "
            f"python -m demos explore")


def run_grid(configs: list, every: int, workers: int) -> list:
    results = []
    with Progress(total=len(configs), desc="explore_replay") as bar:
        jobs = [(config, every) for config in configs]
        if workers <= 1:
            for result in map(replay_run, jobs):
                results.append(result)
                bar.update()
        else:
            with single_blas_thread_pool(workers) as pool:
                for result in pool.map(replay_run, jobs):
                    results.append(result)
                    bar.update()
    return results


def run(args: argparse.Namespace) -> dict:
    depths = sorted(set(args.depths or ([2, 4] if args.quick else [4, 16, 32])))
    seeds = args.seeds or (1 if args.quick else 3)
    fixed = RunConfig(task="spirals", steps=args.steps or (20 if args.quick else 200))
    configs = [dataclasses.replace(fixed, depth=d, skip=skip, seed=s)
               for d in sorted(depths, reverse=True) for skip in (False, True)
               for s in range(seeds)]  # the deepest first, so the workers finish together
    results = run_grid(configs, args.every, args.jobs or (1 if args.quick else 2))
    runs = {f"{r['config']['depth']}/{r['config']['seed']}/{int(r['config']['skip'])}": r
            for r in results}
    replay = {"runs": runs, **PLAYBACK}
    page = args.out / "explorers.html"
    page.write_text(replay_page(replay, grid_spec(depths, seeds, fixed),
                                banner(depths, seeds, fixed)), encoding="utf-8")

    def final(depth: int, skip: bool) -> list:
        cells = [runs[f"{depth}/{s}/{int(skip)}"] for s in range(seeds)]
        return ["diverged" if c["status"] == "diverged" else c["losses"][-1] for c in cells]
    rows = [[d] + [", ".join(v if isinstance(v, str) else f"{v:.4g}" for v in final(d, skip))
                   for skip in (False, True)] for d in depths]
    table = make_table(
        f"Final training loss of the replayed runs (spirals, {fixed.steps} steps, "
        f"{seed_text(seeds)})", ["depth", "plain", "residual"], rows,
        note=(f"Chance level is log 2 = {math.log(2):.4f}. These are the runs the page below "
              f"plays back; the live app (python -m demos explore) trains any setting."))
    print(format_table(table))
    print(f"\nreplay page: {page.resolve()}")
    finals = {f"{'residual' if skip else 'plain'}_{d}": final(d, skip)
              for d in depths for skip in (False, True)}
    return {"page": str(page), "pages": [str(page)], "depths": depths, "seeds": seeds,
            "steps": fixed.steps, "finals": finals, "page_bytes": page.stat().st_size,
            "first_losses": {key: r["losses"][0] for key, r in runs.items()},
            "tables": [table], "figures": []}


main = make_main(__name__)

if __name__ == "__main__":
    main()
