"""The README's demo figures, written from the demos' --json output (demos/readme.py runs them).

Each block of README.md between `<!-- figures: NAME -->` and `<!-- /figures -->` is the text
BLOCKS[NAME].render makes from the JSON of BLOCKS[NAME].commands. Every number in it comes from
that JSON; so does every verdict ("does NOT reproduce", "shows"), computed the way the demo
computes it. Only measured times are written "about N": the check allows them a factor of 2.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence


@dataclass(frozen=True)
class Block:
    """commands: name -> argv of `python -m demos`; render: {name: JSON} -> markdown.
    cheap: the full commands run in seconds, so the quick check (CI) compares this block too."""
    commands: Dict[str, List[str]]
    render: Callable[[Dict[str, dict]], str]
    cheap: bool = False


def about(seconds: float) -> str:
    """A measured time, two significant digits: 'about 310' (the check allows a factor 2)."""
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        return "about 0"
    digits = 1 - int(math.floor(math.log10(seconds)))
    return f"about {round(seconds, digits):.{max(digits, 0)}f}"


def num(value: float, digits: int = 2) -> str:
    """`digits` significant digits, powers of ten written short.

    >>> num(41203456.0), num(7.09e-09, 1), num(0.1642), num(2143.9), num(0.0)
    ('4.1e7', '7e-9', '0.16', '2.1e3', '0')
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if 1e-3 <= abs(value) < 10 ** digits:  # 'g' would write 2.1e+03
        return f"{value:.{digits}g}"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def below(value: float) -> str:
    """A rounding-level difference as the power of ten above it: 'below 1e-15'. Its digits
    move with the BLAS build and the CPU; its order of magnitude does not.

    >>> below(8.6e-16), below(7.09e-9), below(0.0)
    ('below 1e-15', 'below 1e-8', '0 (exactly)')
    """
    if value == 0:
        return "0 (exactly)"
    return f"below 1e{math.ceil(math.log10(value))}"


def wrap(text: str, bullet: bool = False) -> str:
    """A paragraph (or a "- " list item) wrapped at 99 columns, as the README is."""
    indent = "  " if bullet else ""
    return textwrap.fill(text, width=99, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def sequence(values: Sequence, fmt: str = ".3g", missing: str = "diverged") -> str:
    return " / ".join(missing if v is None else format(v, fmt) for v in values)


def command(argv: Sequence[str]) -> str:
    return "`python -m demos " + " ".join(argv) + "`"


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# ----- seed 000: the depth sweep ---------------------------------------------------------------
DEPTH_SWEEP = ["depth_sweep", "--jobs", "2"]


def _diverged_text(run: dict) -> str:
    d = run["diverged"]
    return f"diverged (overflow at epoch {d['epoch']}, sample {d['sample']})"


def render_depth_sweep(runs: Dict[str, dict]) -> str:
    d = runs["sweep"]
    published = d["published"]
    cells = {(r["family"], r["depth"]): r for r in d["runs"]}
    rows, exact, near, diverged = [], [], [], []
    for depth in d["depths"]:
        row = [depth]
        for family in ("plain", "residual"):
            run = cells[family, depth]
            reference = (published[family][published["depths"].index(depth)]
                         if depth in published["depths"] else None)
            if run["diverged"] is not None:
                row.append(_diverged_text(run))
                diverged.append(run)
            else:
                row.append(f"{run['final']:.6f}")
                if reference is not None and round(run["final"], 6) == reference:
                    exact.append(run)
                elif reference is not None:
                    near.append((run, abs(run["final"] - reference)))
            row.append("-" if reference is None else f"{reference:.6f}")
        rows.append(row)
    baseline = d["baseline"]
    text = [wrap(f"Seed 000's depth sweep (width {d['width']}, {d['points']} points, per-sample "
                 f"SGD at lr {d['lr']:g}, {d['epochs']} epochs), as measured by "
                 f"{command(DEPTH_SWEEP)}, beside the seed's published table:"), "",
            markdown_table(["depth", "plain (ours)", "plain (published)", "residual (ours)",
                            "residual (published)"], rows), ""]
    same = round(baseline, 6) == published["baseline"]
    as_published = ", as published" if same else f", published {published['baseline']:.6f}"
    words = [f"Baseline (predict all zeros) {baseline:.6f}{as_published}. {len(exact)} of "
             f"{2 * len(d['depths'])} cells agree to 6 decimals."]
    for run, gap in near:
        words.append(f"{run['family'].capitalize()} depth {run['depth']} differs by {gap:.0e}"
                     + (" (that cell is chaotic: the summation order moves it)."
                        if gap <= 2e-5 else "."))
    for run in diverged:
        losses = run["diverged"]["sample_losses"]
        words.append(f"The {run['family']} depth-{run['depth']} cell does not reproduce: under "
                     f"the seed's recipe the first sample's loss is {losses[0]:.0f}, the first "
                     f"step sends it to {num(losses[1])} and the next overflows.")
    rescues = [r for r in d["rescue"] if r["diverged"] is None]
    if rescues:
        parts = [(f"the gradient norm clipped to {r['clip']:g} at lr {r['lr']:g}" if r["clip"]
                  else f"lr {r['lr']:g}") + f" ends at {r['final']:.6f}" for r in rescues]
        words.append("What makes it train: " + "; ".join(parts) + f" (baseline "
                     f"{baseline:.6f}).")
    if "autodiff_vs_manual" in d:
        cpu = d["cpu_seconds_by_method"]
        words.append(f"The same sweep with nets/manual.py's hand-written backprop gives the same "
                     f"loss curves (largest difference per epoch over all cells: "
                     f"{below(d['autodiff_vs_manual']['max_abs_diff'])}). The full sweep takes "
                     f"{about(cpu['autodiff'])} CPU seconds for autodiff and "
                     f"{about(cpu['manual'])} for the hand-written run; `--jobs 2` uses both "
                     f"cores.")
    return "\n".join(text) + "\n" + wrap(" ".join(words))


# ----- seed 004: spirals --------------------------------------------------------------------
SPIRALS = ["spirals", "--jobs", "2"]


def _medians(setting: dict, family: str, depths: list) -> List[float]:
    return [setting[family][str(depth)]["median"] for depth in depths]


def render_spirals(runs: Dict[str, dict]) -> str:
    d = runs["spirals"]
    depths, seeds = d["depths"], d["seeds"]
    published = [d["published"].get(str(depth)) for depth in depths]
    lines = []
    for name, setting in d["settings"].items():
        plain, residual = _medians(setting, "plain", depths), _medians(setting, "residual", depths)
        rising = all(b > a for a, b in zip(plain, plain[1:]))
        failed = {family: [setting[family][str(depth)]["failed"] for depth in depths]
                  for family in ("plain", "residual")}
        how = f"SGD lr {setting['lr']:g}" + (f", momentum {setting['momentum']:g}"
                                             if setting["momentum"] else "")
        fails = {family: ", ".join(f"{f}/{seeds} at depth {depth}"
                                   for depth, f in zip(depths, failed[family]) if f) or "none"
                 for family in failed}
        line = (f"- Spirals, {name} setting ({how}, {setting['steps']} full-batch steps; median "
                f"final loss over seeds {d['seeds_from']}-{d['seeds_from'] + seeds - 1}, depths "
                f"{sequence(depths, 'd')}): plain {sequence(plain)}, residual "
                f"{sequence(residual)}. Runs that fail (diverge, or end above half of chance "
                f"level): plain {fails['plain']}; residual {fails['residual']}.")
        if name == "seed":
            line += (f" The published ~{sequence(published, 'g')} trend "
                     + ("is reproduced in shape, not in value." if rising else
                        "does NOT reproduce: the plain medians do not rise with depth."))
        line += (" Degradation shown: " if d["verdicts"][name]["shown"] else
                 " Degradation NOT shown: ") + d["verdicts"][name]["reason"] + "."
        lines.append(wrap(line, bullet=True))
    lines.append(wrap(f"- Spirals: the {len(d['settings'])} settings took {about(d['cpu_seconds'])}"
                      f" CPU seconds ({command(SPIRALS)}).", bullet=True))
    return "\n".join(lines)


# ----- seed 004: block Jacobian, pre- vs post-activation; autodiff vs manual ---------------------
def render_block_jacobian(runs: Dict[str, dict]) -> str:
    d = runs["block_jacobian"]
    published = d["published"]
    reproduced = all(abs(d[f"{k}_norm"] - published[k]) < 0.05 for k in ("plain", "residual"))
    last = d["depths"].index(max(d["depths"]))
    blocks, plain = d["depths"][last], d["plain_product"][last]
    return wrap(f"- Block Jacobian (seed 004's code, RandomState(42)): ||J||_F = "
                f"{d['plain_norm']:.4f} (plain) and {d['residual_norm']:.4f} (residual) by "
                f"autodiff, equal to the closed form ({below(d['max_abs_diff'])}); published "
                f"~{published['plain']} and ~{published['residual']} "
                f"{'reproduce' if reproduced else 'do NOT reproduce'}; the identity alone is "
                f"sqrt(8) = {d['identity_norm']:.4f}, as published. Through {blocks} blocks the "
                f"plain product reaches {'exactly 0' if plain == 0 else num(plain)} and the "
                f"unscaled residual one {num(d['residual_product'][last])} (weights 0.3 N(0, 1)); "
                f"branch weights / sqrt({blocks}) keep it at {num(d['scaled_product'][last], 3)}.",
                bullet=True)


def render_pre_vs_post(runs: Dict[str, dict]) -> str:
    d = runs["pre_vs_post"]
    deepest = d["depths"][-1]
    v2_exact = all(abs(v - 1.0) < 1e-9 for v in d["v2_skip_only"])
    skip = ("exactly (norm 1.000000 at every depth)" if v2_exact else
            f"with norms {sequence(d['v2_skip_only'], '.6f')}")
    return wrap(f"- Pre- vs post-activation ({d['norm']} norm, {deepest} blocks): with the "
                f"branches detached, v2's skip path hands down the gradient {skip} while v1's "
                f"final ReLU masks it to {d['v1_skip_only'][-1]:.2f}; the full gradient at "
                f"{deepest} blocks is {num(d['v2_full'][-1])} (v2) and {num(d['v1_full'][-1])} "
                f"(v1) for a unit gradient sent in at the top.", bullet=True)


def render_autodiff_vs_manual(runs: Dict[str, dict]) -> str:
    d = runs["autodiff_vs_manual"]
    return wrap(f"- Autodiff vs hand-written backprop agree on {len(d['networks'])} networks and "
                f"blocks of nets (largest relative difference per layer "
                f"{below(d['max_autodiff_vs_manual'])}), and both agree with finite differences "
                f"({below(d['max_autodiff_vs_fd'])}).", bullet=True)


def render_distant_identity(runs: Dict[str, dict]) -> str:
    d = runs["distant_identity"]
    published = d["published"]
    spread = d.get("residual_spread", {"initial": [], "final": []})
    initial = [d["residual"]["initial"]] + spread["initial"]
    final = [d["residual"]["final"]] + spread["final"]
    inside = (min(initial) <= published["residual"]["initial"] <= max(initial)
              and min(final) <= published["residual"]["final"] <= max(final))
    plain, residual = d["plain"], d["residual"]
    return wrap(f"- Distant identity (seed 001, {d['depth']} layers, dim {d['dim']}, Adam, "
                f"{d['steps']} steps): PlainMLP {plain['initial']:.3f} -> {plain['final']:.3f} "
                f"(published {published['plain']['initial']} -> {published['plain']['final']}), "
                f"ResMLP {residual['initial']:.3f} -> {residual['final']:.3f} (published "
                f"{published['residual']['initial']} -> {published['residual']['final']}); over "
                f"{len(initial)} seeds ResMLP starts at {min(initial):.1f}-{max(initial):.1f} "
                f"and ends at {min(final):.3f}-{max(final):.3f}, so the published run lies "
                f"{'inside' if inside else 'OUTSIDE'} our spread ({about(d['seconds'])} s).",
                bullet=True)


# ----- seed 004 / He et al.: degradation on the digits -------------------------------------------
def _family_errors(d: dict, plain: bool) -> str:
    runs = sorted((r for r in d["runs"] if r["plain"] == plain), key=lambda r: r["depth"])
    return sequence([100 * r["final_train_error"] for r in runs], ".2f")


def _worse_pairs(d: dict, family: str) -> str:
    v = d["verdict"]
    pairs = [f"{a} -> {b}" for (a, b), worse in zip(v["depth_pairs"],
                                                    v[f"{family}_deeper_trains_worse"]) if worse]
    return ", ".join(pairs) or "none"


def render_degradation(runs: Dict[str, dict]) -> str:
    d, again = runs["seed0"], runs["seed1"]
    settings = d["settings"]
    rows = [[r["name"], r["parameters"], f"{100 * r['final_train_error']:.2f}",
             f"{r['final_train_loss']:.4f}", f"{100 * r['final_test_error']:.2f}",
             f"{100 * r['mean_train_error']:.2f}"] for r in d["runs"]]
    residual = [r for r in d["runs"] if not r["plain"]]
    worst = max(residual, key=lambda r: r["final_train_error"])
    deepest_plain = max((r for r in d["runs"] if r["plain"]), key=lambda r: r["depth"])
    depths = sequence(sorted({r["depth"] for r in d["runs"]}), "d")
    tolerance = 100 * d["verdict"]["tolerance"]
    text = [wrap(f"It writes `out/degradation.png` (plain nets left, residual right, as in He et "
                 f"al.'s Fig. 6) and prints this table ({command(['degradation'])}: depths "
                 f"{depths}, {settings['epochs']} epochs, seed {settings['seed']}; errors in eval "
                 f"mode on the whole set after the last epoch; \"mean train\" is the average of "
                 f"the per-epoch training error, i.e. how fast it trained):"), "",
            markdown_table(["network", "parameters", "train error %", "train loss",
                            "test error %", "mean train %"], rows), ""]
    words = [f"The demo's verdict uses one rule for both families (deeper is worse when its final "
             f"training error is higher by more than {tolerance:g} points): plain steps that "
             f"train worse: {_worse_pairs(d, 'plain')}; residual: {_worse_pairs(d, 'residual')}."
             f" Degradation {'shown' if d['verdict']['degradation_shown'] else 'NOT shown'}. "
             f"{deepest_plain['name']} ends at {100 * deepest_plain['final_train_error']:.2f}% "
             f"training and {100 * deepest_plain['final_test_error']:.2f}% test error (a "
             f"training error that high is a failure to optimise, not to generalise); the worst "
             f"residual net, {worst['name']}, misfits "
             f"{round(worst['final_train_error'] * worst['train_images'])} of "
             f"{worst['train_images']} training images."]
    words.append(f"Seed {again['settings']['seed']}: plain {_family_errors(again, True)} %, "
                 f"residual {_family_errors(again, False)} % (degradation "
                 f"{'shown' if again['verdict']['degradation_shown'] else 'NOT shown'}; "
                 f"residual steps that train worse: {_worse_pairs(again, 'residual')}).")
    cpu = sum(r["cpu_seconds"] for r in d["runs"])
    words.append(f"The full run takes {about(cpu)} CPU seconds, trained in "
                 f"{settings['workers']} worker processes with single-threaded BLAS.")
    return "\n".join(text) + "\n" + wrap(" ".join(words))


BLOCKS: Dict[str, Block] = {
    "degradation": Block({"seed0": ["degradation"], "seed1": ["degradation", "--seed", "1"]},
                         render_degradation),
    "depth_sweep": Block({"sweep": DEPTH_SWEEP}, render_depth_sweep),
    "spirals": Block({"spirals": SPIRALS}, render_spirals),
    "distant_identity": Block({"distant_identity": ["distant_identity"]},
                              render_distant_identity, cheap=True),
    "block_jacobian": Block({"block_jacobian": ["block_jacobian"]}, render_block_jacobian,
                            cheap=True),
    "pre_vs_post": Block({"pre_vs_post": ["pre_vs_post"]}, render_pre_vs_post, cheap=True),
    "autodiff_vs_manual": Block({"autodiff_vs_manual": ["autodiff_vs_manual"]},
                                render_autodiff_vs_manual, cheap=True),
}
