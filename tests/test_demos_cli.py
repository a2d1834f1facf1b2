"""Every demo answers a bad command-line value with argparse's one-line message and exit
status 2, never a traceback: the test walks every option of every demo.

BAD lists, per demo and option, values that must be refused; the walk fails when a demo has an
option that takes a value and is not listed, so a new option cannot skip the check.
"""
import subprocess
import sys
from pathlib import Path

import pytest

from demos import DEMOS
from demos.cli import build_parser

REPO = Path(__file__).resolve().parents[1]

COUNT = ["0", "-2", "2.5", "many"]           # a count of at least 1
SEED = ["-1", "one"]                         # numpy's generators refuse negative seeds
RATE = ["0", "-1", "nan", "inf", "fast"]     # a learning rate or step size: above 0
SCALE = ["nan", "inf", "big"]                # any finite number
COMMON = {"--seed": SEED}

BAD = {
    "depth_sweep": {"--depths": COUNT, "--epochs": COUNT, "--lr": RATE, "--width": COUNT,
                    "--points": COUNT, "--data-seed": SEED, "--rescue-lr": ["-1e-4", "nan"],
                    "--rescue-clip": ["-1", "inf"], "--jobs": COUNT},
    "distant_identity": {"--depth": COUNT, "--dim": COUNT, "--steps": COUNT,
                         "--batch-size": COUNT, "--lr": RATE, "--spread-seeds": ["-1", "x"]},
    "spirals": {"--depths": ["2", "0", "x"], "--seeds": COUNT, "--settings": ["adam"],
                "--steps": COUNT, "--width": COUNT, "--branch-scale": SCALE, "--jobs": COUNT},
    "block_jacobian": {"--dim": COUNT, "--scale": SCALE, "--depths": COUNT,
                       "--draws": ["-1", "x"]},
    "pre_vs_post": {"--depths": COUNT, "--norm": ["group"], "--width": COUNT,
                    "--batch": ["1"] + COUNT},
    "gradient_reach": {"--depth": COUNT, "--width": COUNT, "--batch": COUNT},
    "autodiff_vs_manual": {"--batch": ["1"] + COUNT, "--eps": RATE},
    "stepper": {"--blocks": COUNT, "--width": COUNT},
    "degradation": {"--depths": ["10", "2", "0", "x"], "--epochs": COUNT, "--lr": RATE,
                    "--block": ["bottleneck"], "--workers": COUNT},
    "highway_vs_residual": {"--depths": COUNT, "--seeds": COUNT, "--epochs": COUNT,
                            "--lr": RATE, "--width": COUNT, "--workers": COUNT},
    "residual_variants": {"--depths": COUNT, "--seeds": COUNT, "--epochs": COUNT,
                          "--lr": RATE, "--width": COUNT, "--workers": COUNT},
    "ensembles": {"--depth": ["10", "0", "x"], "--epochs": COUNT, "--samples": COUNT,
                  "--lesions": COUNT, "--batch": ["1"] + COUNT, "--workers": COUNT},
    "resnet_family": {"--depths": ["20", "x"], "--size": ["31", "0", "x"]},
    "transformer_norm": {"--depths": COUNT, "--seeds": COUNT, "--steps": COUNT, "--lr": RATE,
                         "--d-model": COUNT, "--nhead": COUNT, "--length": ["1"] + COUNT,
                         "--workers": COUNT},
    "explore_replay": {"--depths": COUNT, "--seeds": COUNT, "--steps": COUNT, "--every": COUNT,
                       "--jobs": COUNT},
    "explore": {"--port": ["-1", "70000", "http"]},
    "report": {"--only": ["no_such_demo"]},
}
# options that take a path: any text is a valid path, the demo reports a failure to write it
PATHS = {"--out", "--json", "--page"}


def value_options(name: str) -> list:
    """The options of demo `name` that take a value (not flags, not --help)."""
    return [action.option_strings[-1] for action in build_parser(name)._actions
            if action.option_strings and action.nargs != 0]


def cases():
    for name in DEMOS:
        for option, values in {**COMMON, **BAD.get(name, {})}.items():
            for value in values:
                yield name, option, value


def test_every_option_of_every_demo_is_checked():
    unchecked = {name: [o for o in value_options(name)
                        if o not in PATHS and o not in COMMON and o not in BAD.get(name, {})]
                 for name in DEMOS}
    assert not any(unchecked.values()), f"options without bad values in BAD: {unchecked}"


@pytest.mark.parametrize("name, option, value", list(cases()))
def test_a_bad_value_is_argparses_one_line_error(name, option, value, capsys):
    # the parser run_demo uses: a value it wrongly accepts fails here instead of running a demo
    with pytest.raises(SystemExit) as exit_info:
        build_parser(name).parse_args([option, value])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"python -m demos {name}: error: argument {option}"), err


@pytest.mark.parametrize("argv, message", [
    (["depth_sweep", "--depths", "0"], "argument --depths: must be at least 1, got 0"),
    (["distant_identity", "--lr", "-1"], "argument --lr: must be greater than 0, got -1"),
])
def test_the_commands_of_the_issue_answer_in_one_line(argv, message):
    done = subprocess.run([sys.executable, "-m", "demos", *argv], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith(message), done.stderr
