"""The explorers' pages as files: the replay (demos/explore_replay.py) carries the engine's runs
for every grid cell and nothing from the network; seed 003's block-and-reach page holds the
stepper and demos/gradient_reach.py's numbers; the report embeds the replay."""
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import import_optional, missing_optional

from demos.cli import run_demo
from demos.gradient_reach import measure_reach
from demos.explorer.block_page import log_domain, magma, reach_svg
from demos.explorer.config import RunConfig
from demos.explorer.page import live_page
from demos.explorer.training import train_steps


def page_data(html: str) -> dict:
    found = re.search(r'<script id="explorer-data" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(found.group(1))


def external_urls(html: str) -> set:
    namespaces = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # never fetched
    return set(re.findall(r"https?://[^\s\"'`<>)&]+", html)) - namespaces


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


def test_the_live_page_carries_its_controls_and_no_url():
    html = live_page(RunConfig(seed=7))
    data = page_data(html)
    assert data["mode"] == "live" and not external_urls(html)
    assert {c["name"]: c["default"] for c in data["spec"]["controls"]}["seed"] == 7


def test_reach_columns_are_coloured_by_log_magnitude():
    svg = reach_svg({"plain": [1e-6, 1e-3, 1.0], "residual": [1.0, 1.0, 2.0]})
    cells = re.findall(r'data-layer="(\d+)" data-norm="([^"]+)" [^>]*fill="([^"]+)"', svg)
    assert len(cells) == 6
    assert log_domain([1e-6, 2.0]) == (-6, 1)
    assert cells[0][2] == magma(0.0) and cells[2][2] == magma(6 / 7)
    assert magma(1.0) == "rgb(252,253,191)" and magma(0.0) == "rgb(0,0,4)"


def test_stepper_writes_seed_003s_block_and_reach_page(tmp_path):
    import_optional("graphviz", "pip install graphviz")
    from tinygrad_res.viz import RendererNotFound, find_renderer
    try:
        find_renderer()
    except RendererNotFound as error:
        missing_optional(str(error))
    result = run_demo("stepper", ["--quick", "--out", str(tmp_path)])
    html = Path(result["block_page"]).read_text()
    # the gradient_reach demo's numbers at its defaults (depth 20, width 16, batch 32, seed 0)
    reach = measure_reach(20, 16, 32, 0)
    assert result["reach"] == {"plain": reach["default", False]["input_grad"],
                               "residual": reach["default", True]["input_grad"]}
    assert html.count('class="layer"') == 40 and "srcdoc=" in html
    assert "Step through a residual block" in html and not external_urls(html)
    assert result["pages"] == [result["block_page"]]


def test_the_report_embeds_the_replay(tmp_path):
    result = run_demo("report", ["--quick", "--out", str(tmp_path), "--only", "explore_replay"])
    page = Path(result["path"]).read_text()
    assert result["failed"] == [] and 'id="explore_replay"' in page
    assert "Replay, not live" in page and 'href="explorers.html"' in page
