"""Tests of the demos' command line, the depth sweep, the distant identity and the report.

Each demo runs in its --quick form; the numbers are checked against what the seed texts and
REPRODUCTION.md establish (the baseline 1.076610, dead plain nets at the baseline, residual
below plain, the divergence of residual depth 100 under the seed's recipe), and the depth sweep's
autodiff run against its hand-written-backprop run.
"""
import io
import json
import math
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import nets
from demos import DEMOS, load_demo
from demos.cli import Progress, run_demo, to_jsonable, write_json
from demos.report import SECTIONS
from demos.depth_sweep_core import Cell, clip_factor, max_curve_difference, run_cell
from demos.tables import format_table, make_table

REPO = Path(__file__).resolve().parents[1]


# ----- the command line -------------------------------------------------------------------
def test_list_shows_every_demo():
    done = subprocess.run([sys.executable, "-m", "demos", "--list"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    listed = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert listed == list(DEMOS)


def test_unknown_demo_is_an_error_naming_the_known_ones(capsys):
    from demos.__main__ import main
    assert main(["no_such_demo"]) == 2
    assert "depth_sweep" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown demo 'nope'.*depth_sweep"):
        load_demo("nope")


def test_demo_help_lists_common_and_own_options(capsys):
    with pytest.raises(SystemExit):
        run_demo("depth_sweep", ["--help"])
    text = capsys.readouterr().out
    for option in ("--out", "--seed", "--json", "--quick", "--depths", "--epochs", "--lr"):
        assert option in text


def test_json_writer_turns_nan_and_inf_into_null(tmp_path):
    path = write_json(tmp_path / "a" / "x.json",
                      {"f": np.float64("nan"), "v": np.array([1.0, -np.inf]), "t": (1, 2),
                       "p": tmp_path})
    assert json.loads(path.read_text()) == {"f": None, "v": [1.0, None], "t": [1, 2],
                                            "p": str(tmp_path)}
    with pytest.raises(TypeError, match="to_jsonable: cannot write a object"):
        to_jsonable({"bad": object()})


def test_progress_bar_draws_only_when_enabled():
    shown, hidden = io.StringIO(), io.StringIO()
    with Progress(3, "work", stream=shown, enabled=True) as bar:
        for _ in range(3):
            bar.update()
    with Progress(3, "work", stream=hidden) as bar:  # a StringIO is not a terminal
        bar.update(3)
    assert "work [" in shown.getvalue() and "3/3" in shown.getvalue()
    assert hidden.getvalue() == ""


def test_tables_check_row_length_and_format():
    with pytest.raises(ValueError, match="row 0 has 1 cells but there are 2 columns"):
        make_table("t", ["a", "b"], [[1]])
    text = format_table(make_table("T", ["depth", "loss"], [[5, 0.5], [100, math.nan]]))
    assert text.splitlines()[3:] == ["5     | 0.500000", "100   | -"]


# ----- depth sweep (seed 000) --------------------------------------------------------------
@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    run_demo("depth_sweep", ["--quick", "--out", str(out), "--json", str(out / "s.json")])
    return json.loads((out / "s.json").read_text())


@pytest.mark.task_5_2
def test_depth_sweep_quick_json(sweep):
    assert {"baseline", "depths", "plain", "residual", "tables", "figures"} <= set(sweep)
    assert round(sweep["baseline"], 6) == 1.076610
    assert sweep["depths"] == [5, 50]
    plain, residual = dict(zip(sweep["depths"], sweep["plain"])), \
        dict(zip(sweep["depths"], sweep["residual"]))
    assert residual[50] < plain[50]
    assert residual[5] < plain[5]
    # every ReLU of plain depth 50 is dead: it outputs 0 and its loss is the baseline
    assert plain[50] == pytest.approx(sweep["baseline"], abs=1e-12)
    assert all(Path(path).is_file() for path in sweep["figures"])
    assert "published" in sweep["tables"][0]["title"]


@pytest.mark.task_5_2
def test_depth_sweep_autodiff_agrees_with_hand_written_backprop(sweep):
    manual = {(r["family"], r["depth"]): r["curve"] for r in sweep["manual_runs"]}
    for run in sweep["runs"]:
        curve = manual[(run["family"], run["depth"])]
        assert len(curve) == len(run["curve"]) == 3
        assert np.max(np.abs(np.subtract(curve, run["curve"]))) <= 1e-9
    assert sweep["autodiff_vs_manual"]["max_abs_diff"] <= 1e-9


@pytest.mark.task_5_3
def test_residual_depth_100_diverges_under_the_seed_recipe_and_clipping_rescues_it():
    data = nets.data.identity_data()
    runs = [run_cell(Cell("residual", 100, epochs=1), data, method)
            for method in ("autodiff", "manual")]
    for run in runs:
        assert run["diverged"] is not None and math.isnan(run["final"])
        assert run["diverged"]["epoch"] == 1 and run["diverged"]["sample"] <= 4
        assert 5000 < run["diverged"]["sample_losses"][0] < 7000  # about 6060: REPRODUCTION.md
    assert max_curve_difference(*runs) == 0.0  # same sample, no finished epoch to compare
    rescued = run_cell(Cell("residual", 100, epochs=1, clip=10.0), data, "autodiff")
    assert rescued["diverged"] is None and math.isfinite(rescued["final"])


@pytest.mark.task_5_3  # the eager step is the one that clips
def test_the_replayed_step_trains_exactly_as_the_eager_one():
    """Without clipping the sweep's step runs under tinygrad_res.jit; a clip too large to act
    keeps the same step eager: the two must agree bit for bit."""
    data = nets.data.identity_data()
    replayed = run_cell(Cell("residual", 10, epochs=2), data, "autodiff")
    eager = run_cell(Cell("residual", 10, epochs=2, clip=1e300), data, "autodiff")
    assert replayed["curve"] == eager["curve"] and replayed["diverged"] is None


@pytest.mark.task_5_2
def test_a_published_cell_reproduces_to_six_decimals():
    data = nets.data.identity_data()
    run = run_cell(Cell("residual", 5, epochs=200), data, "autodiff")
    assert round(run["final"], 6) == 0.000079  # seed 000's table, residual depth 5


@pytest.mark.task_5_2  # trains with identity_step, on task 4.1's residual layer
def test_seed000_claim_at_depth_50_residual_trains_plain_does_not():
    x = nets.data.identity_data()
    baseline = nets.data.zero_prediction_loss(x)
    # seed 000's per-sample SGD loop (demos/depth_sweep_core.py; an epoch's loss is the mean
    # of the losses it saw), on seed000_network(50, ...)
    plain, residual = (run_cell(Cell(family, 50, epochs=5), x, "autodiff")["curve"]
                       for family in ("plain", "residual"))
    assert abs(plain[-1] - baseline) < 1e-6                   # plain learned nothing
    assert residual[-1] < 0.75 * baseline                     # residual is learning
    assert all(b < a for a, b in zip(residual[1:], residual[2:]))


def test_curve_difference_flags_runs_that_diverge_differently():
    finished = {"curve": [1.0, 0.5], "diverged": None}
    diverged = {"curve": [1.0], "diverged": {"epoch": 2, "sample": 3}}
    assert max_curve_difference(finished, {"curve": [1.0, 0.5 + 1e-12], "diverged": None}) \
        == pytest.approx(1e-12)
    assert max_curve_difference(finished, diverged) == math.inf


@pytest.mark.task_5_3
def test_clip_factor_is_clip_grad_norm():
    grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]  # norm 5 over both
    assert clip_factor(grads, 1.0) == pytest.approx(0.2)
    assert clip_factor(grads, 10.0) == 1.0 and clip_factor(grads, None) == 1.0


def test_cell_rejects_bad_settings():
    with pytest.raises(ValueError, match="family must be one of"):
        Cell("highway", 5, epochs=1)
    with pytest.raises(ValueError, match="depth=0"):
        Cell("plain", 0, epochs=1)


# ----- distant identity (seed 001) ---------------------------------------------------------
@pytest.mark.task_5_2  # its training step is identity_step
def test_distant_identity_quick(tmp_path):
    result = run_demo("distant_identity", ["--quick", "--out", str(tmp_path)])
    plain, residual = result["plain"], result["residual"]
    assert plain["initial"] == pytest.approx(1 / 3, abs=0.03)  # predicts ~0: E[x^2]
    assert residual["final"] < 0.5 * residual["initial"]
    assert residual["final"] < plain["final"]
    init = plain["at_init"]
    # the plain net's forward signal and the gradient reaching layer 1 both collapse
    assert init["output_std"][-1] < 1e-6 * init["output_std"][0]
    assert init["output_grad_norm"][0] < 1e-6 * init["output_grad_norm"][-1]
    norms = residual["at_init"]["output_grad_norm"]
    assert max(norms) / min(norms) < 100
    assert len(result["figures"]) == 4 and all(Path(p).is_file() for p in result["figures"])
    assert [t["columns"][0] for t in result["tables"]] == ["metric", "layer"]


# ----- the report ---------------------------------------------------------------------------
@pytest.mark.task_5_2
def test_report_with_real_demos(tmp_path):
    result = run_demo("report", ["--quick", "--out", str(tmp_path),
                                 "--only", "depth_sweep", "distant_identity"])
    page = Path(result["path"]).read_text()
    assert result["failed"] == [], [section["error"] for section in result["sections"]]
    assert 'id="depth_sweep"' in page and 'id="distant_identity"' in page
    assert page.count("data:image/png;base64,") == 6  # 2 + 4 figures, inlined
    assert "seed 000&#x27;s published table" in page
    # each section opens with the seed's claim and ends with the verdict of its own run
    assert page.count('<blockquote class="claim">') == 2
    assert page.count("Verdict from this run: <b") == 2 and "not computed" not in page
    assert "Starting at loss 0.333" in page


def _fake_demo(name: str, tmp_path: Path):
    """A stand-in demo module: one table, one figure, and for "stepper" an HTML page."""
    def run(args):
        if name == "pre_vs_post":
            raise RuntimeError("pre_vs_post broke on purpose")
        figure = tmp_path / f"{name}.png"
        figure.write_bytes(b"\x89PNG fake")
        result = {"tables": [make_table(f"table of {name}", ["x"], [[1.5]])],
                  "figures": [str(figure)]}
        if name == "stepper":
            page = tmp_path / "stepper.html"
            page.write_text("<html><body>step 1 of 9</body></html>")
            result["path"] = str(page)
        return result
    return types.SimpleNamespace(SUMMARY=f"summary of {name}", run=run,
                                 add_arguments=lambda parser: None)


def test_report_has_every_section_and_survives_a_failing_demo(tmp_path, monkeypatch):
    fakes = {name: _fake_demo(name, tmp_path) for name in DEMOS}
    missing = "autodiff_vs_manual"

    def fake_load(name):
        if name == missing:
            raise ModuleNotFoundError(f"No module named 'demos.{name}'")
        return fakes[name]

    monkeypatch.setattr("demos.report.load_demo", fake_load)
    monkeypatch.setattr("demos.cli.load_demo", fake_load)
    result = load_demo("report").run(types.SimpleNamespace(
        out=tmp_path, quick=True, only=None, page=None, seed=0, json=None))
    page = Path(result["path"]).read_text()
    assert sorted(result["failed"]) == sorted([missing, "pre_vs_post"])
    for name in SECTIONS:
        assert f'id="{name}"' in page
    assert 'id="explore"' not in page and 'id="report"' not in page  # a server, and itself
    assert "pre_vs_post broke on purpose" in page and "No module named" in page
    # one figure per section but the two that fail
    assert "table of spirals" in page
    assert page.count("data:image/png;base64,") == len(SECTIONS) - 2
    assert 'srcdoc="&lt;html&gt;&lt;body&gt;step 1 of 9' in page
    assert 'href="stepper.html"' in page


@pytest.mark.task_5_3
def test_depth_sweep_reports_the_divergence_and_trains_the_rescues_in_parallel(tmp_path):
    result = run_demo("depth_sweep", ["--depths", "100", "--epochs", "1", "--jobs", "2",
                                      "--out", str(tmp_path), "--json", str(tmp_path / "d.json")])
    saved = json.loads((tmp_path / "d.json").read_text())
    assert saved["residual"] == [None]  # NaN -> null
    assert "diverged (overflow at epoch 1" in str(result["tables"][0]["rows"])
    rescues = {(r["lr"], r["clip"]): r for r in result["rescue"]}
    assert set(rescues) == {(1e-4, None), (0.01, 10.0)}
    assert all(r["diverged"] is None and math.isfinite(r["final"]) for r in rescues.values())
    assert result["autodiff_vs_manual"]["max_abs_diff"] <= 1e-9
    assert len(result["autodiff_vs_manual"]["cells"]) == 4  # plain, residual, two rescues


def test_a_demo_runs_as_its_own_module():
    done = subprocess.run([sys.executable, "-m", "demos.distant_identity", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "python -m demos distant_identity" in done.stdout and "--steps" in done.stdout
