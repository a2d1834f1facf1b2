"""highway_vs_residual and residual_variants in --quick form, and their shared harness
demos/digits_mlp.py: what must hold whatever the budget."""
import math

import numpy as np
import pytest

from demos.digits_mlp import build, median, stream_at_init
from tinygrad_res import Tensor
from test_demos_extra import assert_report_parts, run_quick


def test_the_families_differ_in_their_layers_only():
    widths = {f: build(f, 3, 16, seed=0).num_parameters()
              for f in ("plain", "residual", "highway", "rezero", "gated", "scaled")}
    plain = 64 * 16 + 16 + 3 * (16 * 16 + 16) + 16 * 10 + 10
    assert widths["plain"] == widths["residual"] == widths["scaled"] == plain
    assert widths["rezero"] == plain + 3  # one alpha per layer
    assert widths["highway"] == widths["gated"] == plain + 3 * (16 * 16 + 16)  # the gates
    # one seed, one draw: the residual net's branches are the plain net's layers / sqrt(depth)
    plain_net, residual_net = build("plain", 4, 8, seed=1), build("residual", 4, 8, seed=1)
    np.testing.assert_allclose(residual_net[3].linear.weight.data,
                               plain_net[3].linear.weight.data / 2)
    highway = build("highway", 2, 8, seed=0, gate_bias=-3.0)
    np.testing.assert_array_equal(highway[2].gate.bias.data, -3.0)
    assert not np.any(highway[2].hidden.bias.data)


def test_x_plus_f_grows_the_stream_layer_after_layer_and_rezero_does_not():
    x = np.random.default_rng(0).standard_normal((2000, 64))
    model = build("residual_unscaled", 6, 256, seed=0)
    h, moments = model[1](model[0](Tensor(x))), []
    for layer in list(model)[2:-1]:
        previous, h = h, layer(h)
        moments.append((h.data ** 2).mean() / (previous.data ** 2).mean())
    # E[(x + relu(Wx))^2] = E[x^2] + E[relu(Wx)^2] + 2 E[x relu(Wx)]; He init makes the second
    # term E[x^2], the third is positive (both are >= 0 on average): more than doubling
    assert all(2.0 < m < 4.0 for m in moments)
    stds = stream_at_init(model, x)
    assert all(b > a for a, b in zip(stds, stds[1:]))
    rezero = stream_at_init(build("rezero", 6, 64, seed=0), x)
    assert rezero == [rezero[0]] * 7  # ReZero: every layer is the identity at init


def test_median_counts_a_diverged_run_as_worst():
    assert median([0.1, math.nan, 0.3]) == 0.3
    assert median([math.nan, math.nan, 0.2]) == math.inf


def test_highway_vs_residual_quick(tmp_path):
    result = run_quick("highway_vs_residual", tmp_path)
    assert_report_parts(result)
    assert result["depths"] == [4, 8] and len(result["runs"]) == 8
    assert set(result["verdict"]["holds_at"]) == {"4", "8"}
    assert "Highway networks" in result["claim"]
    for run in result["runs"]:
        assert run["epochs"] == 1 and len(run["curve"]) == 1
        assert 0 <= run["train_error"] <= 1 and run["train_loss"] > 0
    cells = result["summary"]
    # a highway layer has twice the weights of a plain one, the gate's included
    assert cells["highway -1"]["8"]["parameters"] - cells["plain"]["8"]["parameters"] == \
        8 * (64 * 64 + 64)


def test_residual_variants_quick(tmp_path):
    result = run_quick("residual_variants", tmp_path)
    assert_report_parts(result)
    cells = result["summary"]
    # at init: ReZero is the identity, so its stream keeps the stem's size; x + F(x) grows
    # with depth; the fixed and the init-time 1/sqrt(L) start from the same signal
    for run in (r for r in result["runs"] if r["family"] == "rezero"):
        stream = run["stream_std_at_init"]
        assert len(stream) == run["depth"] + 1
        assert stream == pytest.approx([stream[0]] * len(stream))
    assert cells["x + F(x)"]["8"]["stream_std_at_init"] > 4 * cells["x + F(x)"]["4"][
        "stream_std_at_init"]
    for depth in ("4", "8"):
        assert cells["fixed 1/sqrt(L)"][depth]["stream_std_at_init"] == pytest.approx(
            cells["init / sqrt(L)"][depth]["stream_std_at_init"])
    assert set(result["verdict"]["fixes"]) == {"4", "8"}


# ----- ensembles (Veit et al. 2016) ---------------------------------------------------------
@pytest.fixture(scope="module")
def resnet8():
    import nets
    model = nets.ResNet(8, seed=0)
    model.train()
    model(Tensor(np.random.default_rng(1).standard_normal((32, 1, 8, 8))))  # running stats
    return model.eval()


def test_the_paths_of_a_resnet_add_up_to_its_gradient(resnet8):
    from itertools import combinations

    from demos.ensembles_paths import path_gradient
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((6, 1, 8, 8)), rng.integers(0, 10, 6)
    full = path_gradient(resnet8, x, y, None)
    paths = [path_gradient(resnet8, x, y, set(c))
             for k in range(4) for c in combinations(range(3), k)]
    assert len(paths) == 8
    np.testing.assert_allclose(np.sum(paths, axis=0), full, rtol=1e-9, atol=1e-12)
    assert not np.allclose(paths[0], full)  # the all-shortcut path alone is not the gradient


def test_deleting_blocks(resnet8):
    from demos.ensembles_paths import deletable, forward
    assert [deletable(b) for b in resnet8.blocks] == ["identity", "projection", "projection"]
    import nets
    plain = nets.ResNet(8, plain=True, seed=0).eval()
    assert [deletable(b) for b in plain.blocks] == ["identity", None, None]
    x = Tensor(np.random.default_rng(3).standard_normal((4, 1, 8, 8)))
    np.testing.assert_allclose(forward(resnet8, x).data, resnet8(x).data)
    stem = resnet8.stem(x)
    by_hand = resnet8.blocks[2](resnet8.blocks[1].shortcut(resnet8.blocks[0](stem)))
    expected = resnet8.fc(resnet8.pool(resnet8.head(by_hand)))
    np.testing.assert_allclose(forward(resnet8, x, {1}).data, expected.data)


def test_ensembles_quick(tmp_path):
    result = run_quick("ensembles", tmp_path, "--workers", "1")
    assert_report_parts(result)
    assert result["blocks"] == 3 and len(result["binomial"]) == 4
    assert sum(result["binomial"]) == pytest.approx(1.0)
    paths = result["paths"]
    assert paths["paths"] == [1, 3, 3, 1]
    assert paths["total"] == pytest.approx(np.multiply(paths["paths"], paths["mean_gradient"]))
    assert 0 <= paths["short_share"] <= 1
    lesions = result["lesions"]
    assert lesions["residual"]["kinds"] == ["identity", "projection", "projection"]
    assert lesions["plain"]["deleted"][1:] == [None, None]
    assert set(result["verdict"]) >= {"holds", "residual_degrades_gracefully", "plain_collapses"}
    assert "state" not in result["training"]["residual"]
