"""Seed 004's degradation experiment on two spirals: plain nets of depth 4, 8, 16, 32, and
residual nets of the same depths beside them, over several seeds.

Three settings, the same networks:

- "seed": the seed's code as printed (SGD, lr 0.01, He init, width 32, 500 full-batch steps).
  The seed publishes final losses of ~0.15, 0.25, 0.45, 0.60 for depths 4, 8, 16, 32:
  approximate values from a loosely specified setup. With its code they do NOT reproduce:
  depth 4 barely moves in 500 steps and deeper plain nets mostly end lower.
- "momentum": the same 500 steps with momentum 0.9, so that training gets somewhere. Shallow
  plain nets fit the spirals; at depth 32 some plain nets train and then fall back to chance
  level (loss log 2 = 0.693, their ReLUs dead) or diverge, how many depends on the seed.
- "fast": momentum 0.9 at lr 0.02 for 250 steps, half the cost. The plain depth-32 nets fail
  in nearly every seed while depth 4 and 8 train, and residual nets train at every depth: the
  setting in which the degradation shows robustly (the report runs it).

A training run fails when it diverges or ends above half of chance level. Each setting's
verdict compares the share of failed runs of the deepest plain nets with the shallowest plain
and the deepest residual ones, with Fisher's exact test over the seeds (so one lucky or
unlucky seed does not decide it). Runs go to `--jobs` worker processes; the network and the
loop are in demos/spirals_train.py.

    python -m demos spirals [--quick] [--seeds 8] [--depths 4 8 16 32] [--settings fast]
"""
from __future__ import annotations

import argparse
import math
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from nets.data import make_spirals

from .cli import Progress, at_least, finite_float, make_main, positive_int
from .spirals_train import train
from .tables import format_table, make_table

SUMMARY = ("Seed 004: degradation on two spirals, plain vs residual nets of depth 4-32 over "
           "several seeds; the seed's setting (not reproduced) and two where it shows")

PUBLISHED = {4: 0.15, 8: 0.25, 16: 0.45, 32: 0.60}
SETTINGS = {
    "seed": {"lr": 0.01, "momentum": 0.0, "steps": 500},
    "momentum": {"lr": 0.01, "momentum": 0.9, "steps": 500},
    "fast": {"lr": 0.02, "momentum": 0.9, "steps": 250},
}
SIGNIFICANCE = 0.05  # Fisher's exact test, one-sided
CHANCE = math.log(2.0)  # BCE of predicting 0.5 everywhere


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--depths", type=at_least(3), nargs="+", default=None,
                        help="numbers of Linear layers, at least 3 (default: 4 8 16 32; "
                             "--quick: 4 8)")
    parser.add_argument("--seeds", type=positive_int, default=None,
                        help="network seeds SEED..SEED+N-1 per depth (default: 8; --quick: 1)")
    parser.add_argument("--settings", nargs="+", choices=sorted(SETTINGS), default=None,
                        help="which settings to run (default: all three)")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="override every setting's number of steps (--quick: 40)")
    parser.add_argument("--width", type=positive_int, default=32, help="hidden width (default: 32)")
    parser.add_argument("--branch-scale", type=finite_float, default=None,
                        help="residual branch weight factor (default: 1/sqrt(residual layers))")
    parser.add_argument("--jobs", type=positive_int, default=None,
                        help="worker processes (default: 2; --quick: 1)")


def _train_job(job: dict) -> dict:
    """One training run (a module-level function, so worker processes can receive it)."""
    X, y = make_spirals()
    setting = SETTINGS[job["setting"]]
    run = train(X, y, job["depth"], job["residual"], job["seed"], setting["lr"],
                setting["momentum"], job["steps"], job["width"], job["branch_scale"])
    return {**run, "setting": job["setting"]}


def run_all(jobs: list, workers: int) -> list:
    """Every training run, the longest first so that the workers finish together."""
    jobs = sorted(jobs, key=lambda job: -job["depth"] * job["steps"])
    results = []
    with Progress(total=len(jobs), desc="spirals") as bar:
        if workers <= 1:
            for job in jobs:
                results.append(_train_job(job))
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for result in pool.map(_train_job, jobs):
                    results.append(result)
                    bar.update()
    return results


def failed(run: dict) -> bool:
    """Diverged, or still at least half-way to chance level at the end."""
    return run["diverged"] or run["final"] > 0.5 * CHANCE


def summarise(runs: list, depths: list) -> dict:
    """Per family, per depth: final losses by seed; their mean and sd over the runs that did
    not diverge; their median with a diverged run counted as infinitely bad; how many runs
    diverged or failed."""
    out = {}
    for family, residual in (("plain", False), ("residual", True)):
        rows = {}
        for depth in depths:
            mine = sorted((r for r in runs if r["residual"] == residual and r["depth"] == depth),
                          key=lambda r: r["seed"])
            finals = np.array([r["final"] for r in mine])
            finite = finals[np.isfinite(finals)]
            rows[depth] = {
                "finals": finals.tolist(),
                "mean": float(finite.mean()) if finite.size else float("nan"),
                "sd": float(finite.std()) if finite.size else float("nan"),
                "median": float(np.median(np.where(np.isfinite(finals), finals, np.inf))),
                "diverged": int(sum(r["diverged"] for r in mine)),
                "failed": int(sum(failed(r) for r in mine)),
                "curves": [r["losses"] for r in mine]}
        out[family] = rows
    return out


def failures(summary: dict, depths: list, seeds: int) -> str:
    """'plain: depth 32 3/4 (1 diverged); residual: none'"""
    parts = []
    for family, rows in summary.items():
        bad = [f"depth {d} {rows[d]['failed']}/{seeds}"
               + (f" ({rows[d]['diverged']} diverged)" if rows[d]["diverged"] else "")
               for d in depths if rows[d]["failed"]]
        parts.append(f"{family}: {', '.join(bad) or 'none'}")
    return "; ".join(parts)


def compare_depths(shallow: float, deep: float, shallow_depth: int, deep_depth: int) -> str:
    """Whether the deepest plain nets degrade, judged on the medians: a typical shallow net
    trained (below the failure line) and a typical deep one did not."""
    line = 0.5 * CHANCE
    if shallow > line and deep > line:
        return f"neither depth {shallow_depth} nor depth {deep_depth} typically trains yet"
    if shallow <= line < deep:
        return (f"depth {deep_depth} typically fails where depth {shallow_depth} trains: the "
                f"degradation the seed describes")
    return (f"depth {deep_depth} ends {'worse' if deep > shallow else 'better'} than depth "
            f"{shallow_depth}: no degradation")


def fisher_one_sided(failed_a: int, failed_b: int, runs: int) -> float:
    """P(group A has at least `failed_a` of all failures) when A and B, `runs` each, fail
    alike: Fisher's exact test, one-sided, from the hypergeometric distribution.

    >>> round(fisher_one_sided(8, 0, 8), 5)     # 8/8 against 0/8
    8e-05
    """
    total = failed_a + failed_b
    ways = math.comb(2 * runs, total)
    return sum(math.comb(runs, k) * math.comb(runs, total - k)
               for k in range(failed_a, min(runs, total) + 1)) / ways


def verdict(summary: dict, depths: list, seeds: int) -> dict:
    """Degradation shows when the deepest plain nets fail significantly more often than the
    shallowest plain nets and than residual nets of the same depth (one-sided Fisher's exact
    test at SIGNIFICANCE over the seeds)."""
    deep, shallow = depths[-1], depths[0]
    plain_deep = summary["plain"][deep]["failed"]
    plain_shallow = summary["plain"][shallow]["failed"]
    residual_deep = summary["residual"][deep]["failed"]
    p_shallow = fisher_one_sided(plain_deep, plain_shallow, seeds)
    p_residual = fisher_one_sided(plain_deep, residual_deep, seeds)
    shown = len(depths) > 1 and max(p_shallow, p_residual) < SIGNIFICANCE
    reason = (f"plain depth {deep} fails in {plain_deep}/{seeds} seeds, plain depth {shallow} "
              f"in {plain_shallow}/{seeds}, residual depth {deep} in {residual_deep}/{seeds} "
              f"(one-sided Fisher p = {p_shallow:.2g} against the shallow plain nets, "
              f"{p_residual:.2g} against the residual ones; shown if both are below "
              f"{SIGNIFICANCE:g})")
    return {"shown": shown, "reason": reason, "p_against_shallow": p_shallow,
            "p_against_residual": p_residual}


def setting_table(name: str, summary: dict, depths: list, seeds: int, steps: int) -> dict:
    plain, residual = summary["plain"], summary["residual"]
    rows = [[d, PUBLISHED.get(d)]
            + [cells[d][k] for cells in (plain, residual) for k in ("mean", "sd", "median")]
            + [f"{plain[d]['failed']}/{seeds}", f"{residual[d]['failed']}/{seeds}"]
            for d in depths]
    medians = [plain[d]["median"] for d in depths]
    rising = all(b > a for a, b in zip(medians, medians[1:]))
    shown = ", ".join(f"{m:.3g}" for m in medians)
    note = (f"Plain medians over {seeds} seed(s), depth {depths[0]} to {depths[-1]}: {shown} "
            f"({'rising' if rising else 'NOT rising'} with depth): "
            f"{compare_depths(medians[0], medians[-1], depths[0], depths[-1])}; the residual "
            f"median at depth {depths[-1]} is {residual[depths[-1]]['median']:.3g}. ")
    if name == "seed":
        note += ("The published values (plain, the seed's '~' numbers) are approximate, from a "
                 "loosely specified setup; " + ("their rising trend is reproduced, not their "
                                                "values. " if rising else
                                                "their trend is NOT reproduced. "))
    found = verdict(summary, depths, seeds)
    note += (f"Failed runs (diverged, or final loss above {0.5 * CHANCE:.3f}, half of chance "
             f"level) - {failures(summary, depths, seeds)}. Degradation "
             f"{'shown' if found['shown'] else 'NOT shown'}: {found['reason']}. Mean and sd "
             f"are over the runs that did not diverge; the median counts a diverged run as "
             f"infinitely bad.")
    setting = SETTINGS[name]
    how = f"SGD lr {setting['lr']:g}" + (f", momentum {setting['momentum']:g}"
                                         if setting["momentum"] else "")
    return make_table(f"Spirals, {name} setting ({how}, {steps} full-batch steps): final "
                      f"training loss (BCE)",
                      ["depth", "published plain", "plain mean", "plain sd", "plain median",
                       "residual mean", "residual sd", "residual median", "plain failed",
                       "residual failed"], rows, note=note)


def run(args: argparse.Namespace) -> dict:
    depths = args.depths or ([4, 8] if args.quick else [4, 8, 16, 32])
    seeds = args.seeds or (1 if args.quick else 8)
    names = args.settings or sorted(SETTINGS, key=list(SETTINGS).index)
    workers = args.jobs or (1 if args.quick else 2)
    steps_of = {name: args.steps or (40 if args.quick else SETTINGS[name]["steps"])
                for name in names}
    jobs = [{"setting": name, "depth": depth, "residual": residual, "seed": args.seed + s,
             "steps": steps_of[name], "width": args.width, "branch_scale": args.branch_scale}
            for name in names for depth in depths for residual in (False, True)
            for s in range(seeds)]
    runs = run_all(jobs, workers)
    result = {"depths": depths, "seeds": seeds, "seeds_from": args.seed, "published": PUBLISHED,
              "settings": {}, "verdicts": {}, "tables": [], "figures": []}
    for name in names:
        summary = summarise([r for r in runs if r["setting"] == name], depths)
        table = setting_table(name, summary, depths, seeds, steps_of[name])
        print(format_table(table) + "\n")
        result["tables"].append(table)
        result["verdicts"][name] = verdict(summary, depths, seeds)
        result["settings"][name] = {
            **SETTINGS[name], "steps": steps_of[name],
            **{family: {str(d): {k: v for k, v in cell.items() if k != "curves"}
                        for d, cell in rows.items()} for family, rows in summary.items()},
            "curves": {family: {str(d): cell["curves"] for d, cell in rows.items()}
                       for family, rows in summary.items()}}
    cpu = sum(r["cpu_seconds"] for r in runs)
    print(f"{len(runs)} training runs, {cpu:.0f} s of CPU time")
    result["cpu_seconds"] = cpu
    result["figures"].append(plot(result["settings"], depths, args))
    return result


def median_curve(curves: list) -> np.ndarray:
    """Step-by-step median over seeds; a diverged run (a shorter curve) stops counting."""
    longest = max(len(c) for c in curves)
    padded = np.array([c + [np.nan] * (longest - len(c)) for c in curves])
    with warnings.catch_warnings():  # a step where every run had diverged: NaN, no warning
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(padded, axis=0)


def plot(settings: dict, depths: list, args: argparse.Namespace) -> str:
    from matplotlib import colormaps

    from .plotting import save_figure, subplots
    fig, axes = subplots(len(settings), 2, size=(5.2, 3.6), squeeze=False)
    colours = dict(zip(depths, colormaps["viridis"](np.linspace(0.0, 0.85, len(depths)))))
    for row, (name, setting) in zip(axes, settings.items()):
        for ax, family in zip(row, ("plain", "residual")):
            for depth in depths:
                curves = setting["curves"][family][str(depth)]
                for curve in curves:  # one faint line per seed, the median bold
                    ax.plot(curve, color=colours[depth], alpha=0.3, lw=0.8)
                ax.plot(median_curve(curves), color=colours[depth], lw=2,
                        label=f"depth {depth}")
            ax.axhline(CHANCE, color="grey", lw=0.8, ls=":")
            ax.set_yscale("log")
            ax.set_ylim(top=10.0)  # a diverging run's last losses would squash the rest
            ax.set_title(f"{family}, {name} setting", fontsize="medium")
            ax.set_xlabel("step")
            ax.set_ylabel("training loss (BCE)")
            ax.legend(fontsize="small")
    return save_figure(fig, args.out, "spirals")


main = make_main(__name__)

if __name__ == "__main__":
    main()
