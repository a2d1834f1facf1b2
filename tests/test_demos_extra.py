"""The experiment demos in their --quick configuration: keys, sane values, and the numbers that
must hold whatever the configuration (closed forms, identities, bounds)."""
import json
import math

import numpy as np
import pytest

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
