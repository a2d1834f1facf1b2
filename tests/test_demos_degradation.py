"""demos/degradation.py --quick: it runs end to end and its JSON holds what the README cites."""
import json

import pytest

from conftest import import_optional


@pytest.fixture(scope="module")
def quick_result(tmp_path_factory):
    import_optional("sklearn", 'pip install -e ".[data]"')
    import_optional("matplotlib", 'pip install -e ".[plot]"')
    from demos.cli import run_demo
    out = tmp_path_factory.mktemp("degradation")
    run_demo("degradation", ["--quick", "--workers", "1", "--out", str(out),
                             "--json", str(out / "result.json")])
    return out, json.loads((out / "result.json").read_text())


def test_quick_run_writes_json_with_every_run_and_the_verdict(quick_result):
    out, result = quick_result
    assert [run["name"] for run in result["runs"]] == ["plain-8", "plain-14", "resnet-8",
                                                       "resnet-14"]
    epochs = result["settings"]["epochs"]
    for run in result["runs"]:
        assert len(run["train_error"]) == len(run["test_error"]) == epochs
        for key in ("final_train_error", "final_test_error", "mean_train_error"):
            assert 0.0 <= run[key] <= 1.0
    assert set(result["verdict"]) >= {"depth_pairs", "plain_deeper_trains_worse",
                                      "residual_deeper_trains_worse", "degradation_shown"}
    assert result["verdict"]["depth_pairs"] == [[8, 14]]


def test_quick_run_saves_the_figure_and_the_table(quick_result):
    out, result = quick_result
    assert result["figures"] == [str(out / "degradation.png")]
    assert (out / "degradation.png").stat().st_size > 10_000
    (tab,) = result["tables"]
    assert len(tab["rows"]) == 4 and len(tab["columns"]) == len(tab["rows"][0])


def test_plain_and_residual_runs_share_the_seed_but_not_the_result(quick_result):
    # same seed, same batches, same main-path weights: only the shortcuts differ, and they
    # change the training curve
    _, result = quick_result
    runs = {run["name"]: run for run in result["runs"]}
    assert runs["plain-8"]["train_error"] != runs["resnet-8"]["train_error"]
    assert runs["resnet-8"]["parameters"] > runs["plain-8"]["parameters"]  # the projections


def test_the_reports_story_reads_the_run(quick_result):
    from demos.report_stories import story
    _, result = quick_result
    told = story("degradation", result)
    assert told["verdict"] in ("holds", "does NOT hold")
    assert "plain-14" in told["text"] and "ResNet-14" in told["text"]
