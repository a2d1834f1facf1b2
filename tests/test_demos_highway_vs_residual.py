"""demos/highway_vs_residual.py in --quick form: what must hold whatever the budget."""
from test_demos_extra import assert_report_parts, run_quick


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
