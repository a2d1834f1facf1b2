"""demos/transformer_norm.py in --quick form, its task and its verdict rules."""
import math

import numpy as np
import pytest
from test_demos_extra import assert_report_parts, run_quick

from demos.transformer_norm import reversal_batch
from demos.transformer_norm_report import verdict


def test_the_task_is_reversal_after_a_separator():
    inputs, targets = reversal_batch(np.random.default_rng(0), 4, 5, 10)
    assert inputs.shape == targets.shape == (4, 10)
    assert (inputs[:, 5] == 10).all() and inputs[:, :5].max() < 10  # SEP after the symbols
    np.testing.assert_array_equal(targets[:, 4], 10)                # the SEP is predicted too
    np.testing.assert_array_equal(targets[:, 5:], inputs[:, 4::-1])  # then x5 .. x1


def cells(pre, post, grads=((1.0, 1.0), (1.0, 1.0))):
    return {label: {d: {"failed": f, "grad_first": g[0], "grad_last": g[1]}
                    for d, f in counts.items()}
            for label, counts, g in (("pre-LN", pre, grads[0]), ("post-LN", post, grads[1]))}


def test_verdict_rules():
    found = verdict(cells({6: 0, 24: 0}, {6: 0, 24: 3}, ((1.0, 1.0), (1.0, 4.0))), [6, 24], 3)
    assert found["post_fails_beyond_12_pre_does_not"] and found["post_worse_at"] == [24]
    assert found["p_values"]["24"] == pytest.approx(0.05)  # 3/3 against 0/3
    assert found["gradient_grows_toward_output_in_post_ln"]
    assert not verdict(cells({6: 0, 24: 1}, {6: 0, 24: 3}), [6, 24], 3)[
        "post_fails_beyond_12_pre_does_not"]
    assert not verdict(cells({6: 0, 12: 0}, {6: 0, 12: 3}), [6, 12], 3)[
        "post_fails_beyond_12_pre_does_not"]  # nothing deeper than 12 was run


def test_transformer_norm_quick(tmp_path):
    result = run_quick("transformer_norm", tmp_path)
    assert_report_parts(result)
    assert result["depths"] == [2, 4] and len(result["runs"]) == 4
    assert result["chance"] == pytest.approx(math.log(10))
    for run in result["runs"]:
        assert len(run["curve"]) == 15 and len(run["layer_grad_norm_at_init"]) == run["depth"]
        assert run["curve"][0] == pytest.approx(math.log(11), abs=0.5)  # near chance at first
        assert 0 <= run["accuracy"] <= 1
    pre = [r for r in result["runs"] if r["pre_norm"]]
    post = [r for r in result["runs"] if not r["pre_norm"]]
    # the same blocks; pre-LN adds the final LayerNorm (weight and bias of d_model each)
    assert [r["parameters"] - 2 * 32 for r in pre] == [r["parameters"] for r in post]
    assert set(result["summary"]) == {"pre-LN", "post-LN"}
