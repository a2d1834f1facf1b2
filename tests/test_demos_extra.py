"""The experiment demos in their --quick configuration: keys, sane values, and the numbers that
must hold whatever the configuration (closed forms, identities, bounds)."""
import json
import math

import numpy as np
import pytest
from conftest import import_optional, missing_optional

from demos.cli import run_demo


def run_quick(name: str, tmp_path, *extra: str) -> dict:
    """Run demo `name` with --quick into tmp_path; the JSON it wrote, read back. The report's
    story of the run (demos/report_stories.py) must find what it reads in the result."""
    from demos.report_stories import CLAIMS, story
    path = tmp_path / f"{name}.json"
    result = run_demo(name, ["--quick", "--out", str(tmp_path), "--json", str(path), *extra])
    told = story(name, result)
    assert told["verdict"] in ("holds", "partly", "does NOT hold", "shown"), told["text"]
    assert told["claim"] == CLAIMS[name][1] and told["text"]
    return json.loads(path.read_text())


def assert_report_parts(result: dict) -> None:
    """Every table has as many cells per row as columns; every figure was written."""
    assert result["tables"] and result["figures"]
    for table in result["tables"]:
        assert {"title", "columns", "rows", "note"} <= set(table)
        assert all(len(row) == len(table["columns"]) for row in table["rows"])
    for figure in result["figures"]:
        with open(figure, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_block_jacobian(tmp_path):
    result = run_quick("block_jacobian", tmp_path)
    assert_report_parts(result)
    assert result["max_abs_diff"] < 1e-10  # autodiff == closed form
    assert result["product_check_rel_diff"] < 1e-10
    assert result["identity_norm"] == pytest.approx(math.sqrt(8))
    # the identity term keeps the residual block's Jacobian at least near sqrt(8)
    assert result["residual_norm"] > math.sqrt(8) - 0.5
    assert result["plain_norm"] < result["residual_norm"]
    # the seed's code as printed, RandomState(42): hand-computed with numpy
    assert result["plain_norm"] == pytest.approx(0.9046676384081634, rel=1e-12)
    assert result["residual_norm"] == pytest.approx(2.9174840967752638, rel=1e-12)
    plain, residual = np.array(result["plain_product"]), np.array(result["residual_product"])
    assert plain[0] == pytest.approx(result["plain_norm"])
    assert plain[-1] < plain[0] and residual[-1] > residual[0]
    assert np.all(residual > 1.0)


def test_pre_vs_post(tmp_path):
    result = run_quick("pre_vs_post", tmp_path)
    assert_report_parts(result)
    assert result["depths"][-1] == 1000
    # v2's skip path is a bare addition: it hands down the unit gradient untouched, any depth
    np.testing.assert_allclose(result["v2_skip_only"], 1.0, rtol=1e-12)
    # v1's final ReLU masks it: never more than what was sent, and less with depth
    v1_skip = np.array(result["v1_skip_only"])
    assert np.all(v1_skip <= 1.0 + 1e-12) and v1_skip[-1] < v1_skip[0]
    # the full pre-activation gradient at depth 1000 does not vanish
    assert result["v2_full"][-1] > 0.5 and np.all(np.isfinite(result["v2_full"]))
    assert result["v2_first_weight"][-1] > 0.0


def test_gradient_reach(tmp_path):
    result = run_quick("gradient_reach", tmp_path)
    assert_report_parts(result)
    depth = result["depth"]
    for key in ("plain_default", "residual_default", "plain_kaiming", "residual_kaiming"):
        assert len(result[key]) == depth and len(result[f"{key}_weight_grad"]) == depth
    plain, residual = np.array(result["plain_default"]), np.array(result["residual_default"])
    # default init: about sqrt(1/6) per plain layer, so the bottom gets orders of magnitude less
    assert plain[0] < 1e-2 * plain[-1]
    assert residual[0] > 0.5 and residual[0] > 100 * plain[0]


def test_autodiff_vs_manual(tmp_path):
    result = run_quick("autodiff_vs_manual", tmp_path)
    assert_report_parts(result)
    assert "PlainMLP(3, 4)" in result["networks"] and len(result["networks"]) >= 5
    assert any("conv" in name for name in result["networks"])
    assert result["max_autodiff_vs_manual"] < 1e-12
    assert 0 < result["max_autodiff_vs_fd"] < 1e-6 and result["max_manual_vs_fd"] < 1e-6
    rows = result["tables"][0]["rows"]
    assert len(rows) == sum(len(layers) for layers in result["networks"].values())


def test_stepper(tmp_path):
    import_optional("graphviz", "pip install graphviz")
    from tinygrad_res.viz import RendererNotFound, find_renderer
    try:
        find_renderer()
    except RendererNotFound as error:
        missing_optional(str(error))
    result = run_quick("stepper", tmp_path)
    page = (tmp_path / "stepper.html").read_text()
    assert result["page"] == str(tmp_path / "stepper.html") and "<svg" in page
    # mean, mul, sub, add (the skip), relu, linear: x gets the skip's and the branch's share
    assert result["backward_steps"] == 6 and result["forward_steps"] == 6
    rows = result["tables"][0]["rows"]
    assert [row[1] for row in rows] == ["mean", "mul", "sub", "add", "relu", "linear"]
    assert rows[3][4].startswith("x (via skip)") and rows[5][4].startswith("x (summed)")
    resnet = (tmp_path / "stepper_resnet8.html").read_text(encoding="utf-8")
    assert result["model_pages"]["resnet8"] == str(tmp_path / "stepper_resnet8.html")
    assert "blocks.0.bn1 \u2192 output" in resnet and "blocks.0.conv1.weight" in resnet
    resmlp = (tmp_path / "stepper_resmlp20.html").read_text(encoding="utf-8")
    assert resmlp.count('<div id="block-c') == 20  # each block folded, its inside drawn


def seed004_reference_losses(X, y, depth, seed, lr, momentum, steps, residual=False):
    """Seed 004's train_plain_network in numpy (its init, forward and backward), with momentum
    and residual hidden layers a_{i+1} = relu(z_i) + a_i added as demos/spirals_train.py
    documents them (those layers' weights scaled by 1 / sqrt(depth - 2))."""
    rng = np.random.RandomState(seed)
    fans = [2] + [32] * (depth - 1) + [1]
    skip = [residual and 0 < i < depth - 1 for i in range(depth)]
    layers = []
    for i in range(depth):
        W = rng.randn(fans[i], fans[i + 1]) * np.sqrt(2.0 / fans[i])
        layers.append([W / np.sqrt(depth - 2) if skip[i] else W, np.zeros(fans[i + 1])])
    velocity = [[np.zeros_like(W), np.zeros_like(b)] for W, b in layers]
    losses = []
    for _ in range(steps):
        activations, pre = [X], []
        for i, (W, b) in enumerate(layers):
            pre.append(activations[-1] @ W + b)
            if i == depth - 1:
                activations.append(1 / (1 + np.exp(-pre[-1])))
            else:
                activations.append(np.maximum(0, pre[-1]) + (activations[-1] if skip[i] else 0))
        p = activations[-1].ravel()
        losses.append(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        grad_z, grad_a = (p - y).reshape(-1, 1) / len(y), None  # grad_a: d loss / d a_{i+1}
        for i in reversed(range(depth)):
            if i < depth - 1:
                grad_z = grad_a * (pre[i] > 0)
            grads = (activations[i].T @ grad_z, grad_z.sum(axis=0))
            grad_a = grad_z @ layers[i][0].T + (grad_a if skip[i] else 0)
            for k, g in enumerate(grads):
                velocity[i][k] = momentum * velocity[i][k] + g
                layers[i][k] = layers[i][k] - lr * velocity[i][k]
    return np.array(losses)


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
def test_spirals_training_is_the_seeds_algorithm(residual):
    from demos.spirals_train import train
    from nets.data import make_spirals
    X, y = make_spirals()
    ours = train(X, y, depth=5, residual=residual, seed=3, lr=0.05, momentum=0.9, steps=15)
    reference = seed004_reference_losses(X, y, 5, 3, 0.05, 0.9, 15, residual)
    np.testing.assert_allclose(ours["losses"], reference, rtol=1e-10)
    assert not ours["diverged"] and ours["final"] == ours["losses"][-1]


def test_spirals(tmp_path):
    result = run_quick("spirals", tmp_path, "--seeds", "2")
    assert_report_parts(result)
    assert result["published"] == {"4": 0.15, "8": 0.25, "16": 0.45, "32": 0.6}
    assert set(result["settings"]) == {"seed", "momentum", "fast"} and len(result["tables"]) == 3
    assert result["seeds_from"] == 0
    for found in result["verdicts"].values():  # 2 seeds cannot make any difference significant
        assert not found["shown"] and found["p_against_residual"] >= 1 / 6
    for setting in result["settings"].values():
        for family in ("plain", "residual"):
            for depth in result["depths"]:
                cell = setting[family][str(depth)]
                curves = setting["curves"][family][str(depth)]
                assert len(cell["finals"]) == 2 and len(curves) == 2
                assert all(len(c) == setting["steps"] for c in curves)
                assert all(0 < f < 1 for f in cell["finals"])  # near log 2 = 0.693 early on
                assert cell["mean"] == pytest.approx(np.mean(cell["finals"]))
    # both settings start from the same networks: the same first loss
    first = [result["settings"][s]["curves"]["plain"]["4"][0][0] for s in ("seed", "momentum")]
    assert first[0] == first[1]


@pytest.mark.parametrize("name, option", [("spirals", "--steps"), ("spirals", "--seeds"),
                                          ("pre_vs_post", "--width"), ("stepper", "--blocks")])
def test_counts_below_one_are_rejected_not_defaulted(name, option, capsys):
    with pytest.raises(SystemExit):
        run_demo(name, [option, "0"])
    assert f"argument {option}: must be at least 1, got 0" in capsys.readouterr().err


@pytest.mark.parametrize("table", [[[8, 0], [0, 8]], [[3, 1], [0, 4]], [[5, 3], [2, 6]],
                                   [[0, 8], [0, 8]]])
def test_fisher_test_matches_scipy(table):
    stats = pytest.importorskip("scipy.stats")
    from demos.spirals import fisher_one_sided
    (failed_a, _), (failed_b, _) = table
    expected = stats.fisher_exact(table, alternative="greater").pvalue
    assert fisher_one_sided(failed_a, failed_b, sum(table[0])) == pytest.approx(expected)


def test_spirals_verdict_needs_both_controls_to_differ():
    from demos.spirals import verdict
    def summary(plain, residual):
        return {"plain": {d: {"failed": f} for d, f in plain.items()},
                "residual": {d: {"failed": f} for d, f in residual.items()}}
    assert verdict(summary({4: 0, 32: 8}, {4: 0, 32: 0}), [4, 32], 8)["shown"]
    assert not verdict(summary({4: 0, 32: 3}, {4: 0, 32: 0}), [4, 32], 4)["shown"]  # p = 0.07
    assert not verdict(summary({4: 8, 32: 8}, {4: 0, 32: 0}), [4, 32], 8)["shown"]  # shallow too
    assert not verdict(summary({4: 0, 32: 8}, {4: 0, 32: 8}), [4, 32], 8)["shown"]  # residual too


def test_spiral_net_needs_three_layers():
    from demos.spirals_train import SpiralNet
    with pytest.raises(ValueError, match="SpiralNet: depth must be at least 3"):
        SpiralNet(2)
