"""demos/residual_variants.py in --quick form: what must hold whatever the budget."""
import pytest
from test_demos_extra import assert_report_parts, run_quick


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
