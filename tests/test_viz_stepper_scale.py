"""The stepper on real models (issue 16, item 2): a ResNet-8 and a 20-block ResMLP, tensors named
by module, the view following the current op, wheel zoom, drag, the overview, and folded blocks
that open on click; in the page's data and in a real headless Chromium."""
import collections
import json
import re

import numpy as np
import pytest
from browser import SHOTS, by, chrome, severe_errors, until
from viz_helpers import require_graphviz, require_renderer

import nets
from nets.losses import cross_entropy, mse_loss
from tinygrad_res import Tensor, viz

require_graphviz()


def resnet8_page(path):
    model = nets.ResNet(8, num_classes=10, seed=0)
    x = Tensor(np.random.default_rng(0).standard_normal((2, 1, 8, 8)), name="x")
    with viz.name_modules(model) as named:
        loss = cross_entropy(model(x), np.array([1, 3]))
    return viz.save_stepper(loss, path, names=named, clusters=named.clusters, title="ResNet-8")


def resmlp_page(path, blocks):
    model = nets.ResMLP(blocks, 8, seed=0)
    rng = np.random.default_rng(0)
    with viz.name_modules(model) as named:
        loss = mse_loss(model(Tensor(rng.standard_normal((4, 8)), name="x")),
                        Tensor(rng.standard_normal((4, 8)), name="target"))
    return viz.save_stepper(loss, path, names=named, clusters=named.clusters,
                            title=f"ResMLP-{blocks}")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    require_renderer("svg")
    folder = tmp_path_factory.mktemp("scale")
    return {"resnet8": resnet8_page(folder / "resnet8.html"),
            "resmlp20": resmlp_page(folder / "resmlp20.html", 20)}


def page_data(path) -> dict:
    html = path.read_text(encoding="utf-8")
    found = re.search(r'<script id="ui-steps" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_resnet8_page_names_tensors_by_module(pages):
    data = page_data(pages["resnet8"])
    assert len(data["backward"]) == 34 and not data["blocks"]  # 7 boxes: nothing folded
    titles = [s["title"] for s in data["backward"]]
    assert any("batch_norm \u2192 blocks.0.bn1 \u2192 output" in t for t in titles)
    labels = {b["label"] for s in data["backward"] for b in s["blocks"]}
    assert "sent to blocks.0.conv1.weight" in labels
    assert not any(re.search(r"\u2192 t\d+ ", t) for t in titles if "conv2d" in t)


def test_resmlp20_page_folds_each_block_and_draws_its_inside(pages):
    html = pages["resmlp20"].read_text(encoding="utf-8")
    data = page_data(pages["resmlp20"])
    assert sorted(b["label"] for b in data["blocks"].values()) == \
        sorted(f"layers.{i}" for i in range(20))
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []  # one page, many drawings, unique ids
    inside = [s for s in data["backward"] if "block" in s]
    assert len(inside) == 60  # linear, relu and add of each of the 20 blocks
    for step in inside:
        holder = re.search(rf'<div id="block-{step["block"]}" hidden>(.*?)</svg></div>', html,
                           re.S).group(1)
        for key in ("current", "source", "targets", "edges"):
            for node in step["raw"][key]:
                assert f'id="{node}"' in holder, (step["title"], key, node)


def wait_still(driver):
    until(lambda: driver.execute_script(
        "return document.body.dataset.ready && !document.querySelector('[data-moving]')"),
        10, "the view to settle")


# for each step in turn (next or prev), once the view settled: the current op's box, inside
# the graph's frame or not, and its height in pixels
WALK = """
const [button, count, done] = arguments;
const frame = document.getElementById('ui-graph'), seen = [];
function check() {
  if (document.querySelector('[data-moving]')) { requestAnimationFrame(check); return; }
  const f = frame.getBoundingClientRect();
  const node = document.querySelector('#graph-svg g.current');
  const r = node.getBoundingClientRect();
  seen.push({id: node.id, inside: r.left >= f.left && r.right <= f.right &&
             r.top >= f.top && r.bottom <= f.bottom, height: r.height,
             step: document.body.dataset.step});
  if (seen.length === count) { done(seen); return; }
  document.getElementById(button).click();
  requestAnimationFrame(check);
}
check();
"""


def view_box(driver):
    return [float(v) for v in driver.execute_script(
        "return document.getElementById('graph-svg').getAttribute('viewBox')").split()]


def zoom(driver):
    return float(driver.execute_script("return document.getElementById('ui-graph').dataset.zoom"))


def test_resnet8_view_follows_the_op_zooms_and_pans(pages, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = chrome(tmp_path)
    try:
        driver.get(pages["resnet8"].resolve().as_uri())
        wait_still(driver)
        fit = float(driver.execute_script(
            "return document.getElementById('ui-graph').dataset.fit"))
        assert fit < 0.9 <= zoom(driver)  # fit to width, labels would be unreadable: zoomed in
        backward = driver.execute_async_script(WALK, "ui-next", 34)
        assert [s["step"] for s in backward] == [str(i) for i in range(34)]
        assert all(s["inside"] and s["height"] >= 14 for s in backward), backward
        assert len({s["id"] for s in backward}) == 34
        driver.save_screenshot(str(SHOTS / "stepper_resnet8_backward_last.png"))
        back = driver.execute_async_script(WALK, "ui-prev", 5)  # and back again
        assert [s["step"] for s in back] == ["33", "32", "31", "30", "29"]
        assert all(s["inside"] for s in back)
        by(driver, "#ui-mode-forward")[0].click()
        forward = driver.execute_async_script(WALK, "ui-next", 34)
        assert all(s["inside"] and s["height"] >= 14 for s in forward)
        wait_still(driver)
        driver.save_screenshot(str(SHOTS / "stepper_resnet8_forward_last.png"))

        graph = by(driver, "#ui-graph")[0]
        before = zoom(driver)
        ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(graph), 0, 300).perform()
        out = zoom(driver)
        ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(graph), 0, -150).perform()
        assert out < before * 0.8 and out < zoom(driver) < before
        minimap = by(driver, "#ui-graph .minimap")
        assert minimap and minimap[0].is_displayed()  # zoomed in: the overview shows where
        box, scale = view_box(driver), zoom(driver)
        ActionChains(driver).move_to_element_with_offset(graph, -200, 0).click_and_hold() \
            .move_by_offset(160, 60).release().perform()
        moved = view_box(driver)
        assert moved[0] == pytest.approx(box[0] - 160 / scale, abs=2)
        assert moved[1] == pytest.approx(box[1] - 60 / scale, abs=2)
        assert driver.execute_script("return document.body.dataset.step") == "33"  # no jump
        driver.save_screenshot(str(SHOTS / "stepper_resnet8_zoomed_out_dragged.png"))
        by(driver, "#ui-zoom")[0].click()
        wait_still(driver)
        assert zoom(driver) == pytest.approx(fit, rel=0.02)
        assert not severe_errors(driver)
    finally:
        driver.quit()


def test_resmlp20_folded_block_opens_on_click_and_follows_the_steps(pages, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = chrome(tmp_path)
    try:
        driver.get(pages["resmlp20"].resolve().as_uri())
        wait_still(driver)
        assert by(driver, "#ui-block")[0].is_displayed() is False
        # the loss's mean, mul and sub, block 19's add and relu: step 5 is inside the block
        driver.execute_async_script(WALK, "ui-next", 5)
        wait_still(driver)
        current = by(driver, "#graph-svg g.current")[0]
        assert "layers.19" in current.text
        current.click()  # opens the block, and jumps to its first step: the add
        wait_still(driver)
        assert by(driver, "#ui-block")[0].is_displayed()
        assert by(driver, "#ui-block-title")[0].text == "layers.19: 3 ops, unfolded"
        assert driver.execute_script("return document.body.dataset.step") == "3"
        opened = driver.execute_script("return document.body.dataset.block")
        assert [e.text for e in by(driver, f"#block-{opened} g.current")] == ["add"]
        assert by(driver, f"#block-{opened} g.edge.active")  # the step's edges, inside
        driver.save_screenshot(str(SHOTS / "stepper_resmlp20_block_open.png"))
        steps = driver.execute_async_script(WALK, "ui-next", 4)  # relu, linear; into layers.18
        wait_still(driver)
        assert [s["step"] for s in steps] == ["3", "4", "5", "6"]
        now = driver.execute_script("return document.body.dataset.block")
        assert now != opened and by(driver, "#ui-block-title")[0].text.startswith("layers.18")
        assert [e.text for e in by(driver, f"#block-{now} g.current")] == ["add"]
        # the skip's gradient: the stand-in for layers.17's output is a target in the block
        assert by(driver, f"#block-{now} g.node.target")
        driver.save_screenshot(str(SHOTS / "stepper_resmlp20_next_block.png"))
        by(driver, "#ui-block-close")[0].click()
        assert not by(driver, "#ui-block")[0].is_displayed()
        assert not severe_errors(driver)
    finally:
        driver.quit()


def test_a_100_block_network_stays_usable(tmp_path):
    """100 folded blocks: the page loads, steps, and opens the 50th block; its size and times
    are measured by bench/stepper_pages.py, not asserted here."""
    require_renderer("svg")
    page = resmlp_page(tmp_path / "resmlp100.html", 100)
    data = page_data(page)
    assert len(data["blocks"]) == 100 and len(data["backward"]) == 303
    driver = chrome(tmp_path)
    try:
        driver.get(page.resolve().as_uri())
        wait_still(driver)
        # the blocks; x and target; the loss's sub, mul and mean and the tensors they make
        assert len(by(driver, "#graph-svg g.node")) == 100 + 2 + 6
        middle = next(node for node, info in data["blocks"].items() if info["label"] == "layers.49")
        driver.execute_script("arguments[0].scrollIntoView()", by(driver, "#ui-graph")[0])
        driver.execute_script(  # what a click on it does (it may be outside the view)
            "document.getElementById(arguments[0]).dispatchEvent("
            "new MouseEvent('click', {bubbles: true}))", middle)
        wait_still(driver)
        assert driver.execute_script("return document.body.dataset.block") == middle
        step = int(driver.execute_script("return document.body.dataset.step"))
        assert data["backward"][step]["block"] == middle
        assert [e.text for e in by(driver, f"#block-{middle} g.current")] == ["add"]
        current = by(driver, "#graph-svg g.current")[0]
        assert "layers.49" in current.text and current.is_displayed()
        driver.save_screenshot(str(SHOTS / "stepper_resmlp100_block_49.png"))
        assert not severe_errors(driver)
    finally:
        driver.quit()
