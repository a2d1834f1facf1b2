"""The explorers' offline replay (demos/explore_replay.py): the engine's run for every grid
cell, the grid's axes as the only live controls, nothing from the network, embedded in the
report."""
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from explorer_helpers import external_urls, page_data

from demos.cli import run_demo
from demos.explorer.config import RunConfig
from demos.explorer.training import train_steps


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    out = tmp_path_factory.mktemp("replay")
    return run_demo("explore_replay", ["--quick", "--seeds", "2", "--out", str(out)])


def test_the_replay_holds_the_engines_run_for_every_grid_cell(replay):
    html = Path(replay["page"]).read_text()
    data = page_data(html)
    assert data["mode"] == "replay" and "Replay, not live" in data["banner"]
    runs = data["replay"]["runs"]
    assert sorted(runs) == sorted(f"{d}/{s}/{k}" for d in (2, 4) for s in (0, 1) for k in (0, 1))
    for key, record in runs.items():
        depth, seed, skip = map(int, key.split("/"))
        config = RunConfig(task="spirals", depth=depth, seed=seed, skip=bool(skip), steps=20)
        assert record["config"] == dataclasses.asdict(config)
        steps = list(train_steps(config))
        np.testing.assert_allclose(record["losses"], [s.loss for s in steps], rtol=1e-4)
        assert [g[0] for g in record["grads"]] == [0, 10, 19]
        np.testing.assert_allclose(record["grads"][0][1], steps[0].grad_norms, rtol=1e-3)
        assert record["status"] == "done"
    assert not external_urls(html)


def test_the_replay_controls_are_the_grid_and_the_rest_is_fixed(replay):
    controls = {c["name"]: c for c in page_data(Path(replay["page"]).read_text())["spec"]
                ["controls"]}
    assert [c["value"] for c in controls["depth"]["choices"]] == [2, 4]
    assert [c["value"] for c in controls["seed"]["choices"]] == [0, 1]
    assert not controls["skip"].get("fixed") and not controls["depth"].get("fixed")
    assert all(controls[name]["fixed"] for name in ("task", "width", "block", "init",
                                                     "optimizer", "lr", "steps"))
    assert controls["steps"]["default"] == 20


def test_the_report_embeds_the_replay(tmp_path):
    result = run_demo("report", ["--quick", "--out", str(tmp_path), "--only", "explore_replay"])
    page = Path(result["path"]).read_text()
    assert result["failed"] == [] and 'id="explore_replay"' in page
    assert "Replay, not live" in page and 'href="explorers.html"' in page
