"""The experiment demos in their --quick configuration: keys, sane values, and the numbers that
must hold whatever the configuration (closed forms, identities, bounds)."""
import json
import math

import numpy as np
import pytest
from conftest import import_optional, missing_optional

from demos.cli import run_demo


def run_quick(name: str, tmp_path, *extra: str) -> dict:
    """Run demo `name` with --quick into tmp_path; the JSON it wrote, read back."""
    path = tmp_path / f"{name}.json"
    run_demo(name, ["--quick", "--out", str(tmp_path), "--json", str(path), *extra])
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
