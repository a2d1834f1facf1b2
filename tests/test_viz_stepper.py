"""save_stepper: a self-contained page, checked as text and in a real (headless) Chromium."""
import json
import re

import pytest
from browser import chrome, severe_errors
from viz_helpers import require_graphviz, require_renderer

from tinygrad_res import viz

require_graphviz()


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    require_renderer("svg")
    path = tmp_path_factory.mktemp("stepper") / "stepper.html"
    return viz.save_stepper(viz.residual_mlp_example(blocks=2), path)


def step_data(html: str) -> dict:
    found = re.search(r'<script id="ui-steps" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_page_is_self_contained(page):
    html = page.read_text()
    # the only URLs are XML namespace names inside the SVG, which are never fetched
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=", html)
    assert html.count("<svg") == 1 and 'id="graph-svg"' in html


def test_page_holds_both_passes_and_every_highlight_exists_in_the_svg(page):
    html = page.read_text()
    data = step_data(html)
    assert len(data["backward"]) == 9 and len(data["forward"]) == 9
    svg_ids = set(re.findall(r'<g id="([^"]+)" class="(?:node|edge)"', html))
    for step in data["backward"] + data["forward"]:
        for key in ("current", "source", "targets", "edges"):
            assert set(step[key]) <= svg_ids, (step["title"], key)
    add_block2 = data["backward"][3]
    assert add_block2["title"].startswith("Step 4 / 9: backward through add")
    assert any(b["kind"] == "skip" for b in add_block2["blocks"])
    assert any(b["kind"] == "accumulate" for b in data["backward"][5]["blocks"])


def test_script_end_tags_in_names_cannot_break_the_page(tmp_path):
    require_renderer("svg")
    from tinygrad_res import Tensor

    x = Tensor([1.0], requires_grad=True, name="</script><b>")
    html = viz.stepper_html((x * 2).sum())
    assert step_data(html)["forward"][0]["blocks"][1]["label"].startswith("input </script>")


def test_real_browser_steps_through_the_page(page, tmp_path):
    driver = chrome(tmp_path)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def state():
        current = driver.find_elements(By.CSS_SELECTOR, "#graph-svg g.current")
        return (driver.find_element(By.TAG_NAME, "body").get_attribute("data-step"),
                [e.get_attribute("id") for e in current],
                driver.find_element(By.ID, "ui-step-title").text)

    try:
        driver.get(page.resolve().as_uri())
        step, current, title = state()
        assert (step, current) == ("0", ["op14"])  # backward starts at the loss's mean
        assert title.startswith("Step 1 / 9: backward through mean")
        seen = [current]
        for _ in range(3):
            driver.find_element(By.ID, "ui-next").click()
            seen.append(state()[1])
        step, current, title = state()
        assert step == "3" and title.startswith("Step 4 / 9: backward through add")
        assert len({tuple(c) for c in seen}) == 4 and all(len(c) == 1 for c in seen)
        # the skip's gradient shows up as its own (red) block beside the graph
        assert driver.find_elements(By.CSS_SELECTOR, "#ui-step-blocks .block.skip")
        assert len(driver.find_elements(By.CSS_SELECTOR, "#graph-svg .edge.active")) == 3
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
        assert state()[0] == "5"
        assert driver.find_elements(By.CSS_SELECTOR, "#ui-step-blocks .block.accumulate")
        driver.save_screenshot(str(tmp_path / "stepper_backward.png"))
        driver.find_element(By.ID, "ui-mode-forward").click()
        step, current, title = state()
        assert step == "0" and title.startswith("Step 1 / 9: linear")
        assert len(driver.find_elements(By.CSS_SELECTOR, "#graph-svg g.node.pending")) == 16
        assert not severe_errors(driver)
    finally:
        driver.quit()
    assert (tmp_path / "stepper_backward.png").stat().st_size > 10_000
