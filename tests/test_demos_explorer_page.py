"""The explorers' page (demos/explorer/page.py with explorer.js and plots.js) as a person uses
it, in a real headless Chromium: live (set a depth, Train, the curve gains points, toggle skip,
Train again, two curves, the gradient column changes, Stop; a bad setting; a diverging run;
closing the page ends its run) and as the report's replay. Screenshots go to out/screenshots/."""
import re
from pathlib import Path

import pytest
from browser import SHOTS, by, chrome, severe_errors, text, until
from explorer_helpers import external_urls, page_data, serving

from demos.cli import run_demo
from demos.explorer.config import RunConfig
from demos.explorer.page import live_page


def test_the_live_page_carries_its_controls_and_no_url():
    html = live_page(RunConfig(seed=7))
    data = page_data(html)
    assert data["mode"] == "live" and not external_urls(html)
    assert {c["name"]: c["default"] for c in data["spec"]["controls"]}["seed"] == 7


@pytest.fixture(scope="module")
def server():
    with serving() as server:
        yield server


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = chrome(tmp_path_factory.mktemp("chrome"))
    yield driver
    driver.quit()


# read in one script: the page redraws its SVG many times a second, so an element found in
# one call may be gone by the next
def curve_points(driver, run):
    return driver.execute_script(
        "const c = document.querySelector(`#loss-plot polyline[data-run='${arguments[0]}']`);"
        "return c ? Number(c.dataset.points) : 0;", str(run))


def column(driver, family):
    return driver.execute_script(
        "return [...document.querySelectorAll(`#column-${arguments[0]} rect.layer`)]"
        ".map(r => r.dataset.norm);", family)


def set_number(driver, name, value):
    """Type `value` over the box's text and leave it (one change event, as a person makes;
    selenium's clear() would fire one for the empty box too)."""
    from selenium.webdriver.common.keys import Keys
    box = by(driver, f"#ctl-{name}")[0]
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value), Keys.TAB)


def choose(driver, name, value):
    driver.execute_script(
        "const e = document.getElementById(`ctl-${arguments[0]}`); e.value = arguments[1];"
        "e.dispatchEvent(new Event('change'));", name, value)


def test_live_train_toggle_skip_train_again_stop(server, driver):
    driver.get(server.url)
    until(lambda: len(column(driver, "plain")) == 32, what="the gradient columns at init")
    set_number(driver, "depth", 6)
    set_number(driver, "steps", 5000)
    until(lambda: len(column(driver, "plain")) == 6, what="the columns of the depth-6 nets")
    residual_at_init = column(driver, "residual")
    assert column(driver, "plain") != residual_at_init

    by(driver, "#ui-train")[0].click()
    first = until(lambda: curve_points(driver, 1) >= 2, what="run 1's first points")
    until(lambda: curve_points(driver, 1) > first + 5, what="run 1's curve to grow")
    assert driver.find_element("tag name", "body").get_attribute("data-first-point-ms")
    assert "run 1 at step" in text(driver, "#column-plain .column-note")
    driver.save_screenshot(str(SHOTS / "explorer_live_plain.png"))

    by(driver, "#ctl-skip")[0].click()
    by(driver, "#ui-train")[0].click()
    until(lambda: curve_points(driver, 2) >= 2, what="run 2's first points")
    until(lambda: len(by(driver, "#loss-plot polyline.curve")) == 2, what="two curves")
    assert driver.execute_script(  # residual runs are dashed, plain ones solid
        "return ['1', '2'].map(r => document.querySelector("
        "`#loss-plot polyline[data-run='${r}']`).getAttribute('stroke-dasharray'))") == ["", "6 3"]
    until(lambda: "run 2 at step" in text(driver, "#column-residual .column-note")
          and column(driver, "residual") != residual_at_init, what="the residual column")
    until(lambda: by(driver, '#legend li[data-run="1"][data-status="stopped"]'))
    # one run at a time per page: the server stopped run 1 when the page started run 2
    assert "replaced by a new run from the same page" in text(driver, '#legend li[data-run="1"]')

    by(driver, "#ui-stop")[0].click()
    until(lambda: by(driver, '#legend li[data-run="2"][data-status="stopped"]'), what="Stop")
    assert "stopped by the page" in text(driver, "#status")
    assert not server.runs.running()
    driver.save_screenshot(str(SHOTS / "explorer_live_two_runs.png"))
    assert not severe_errors(driver)


def test_a_bad_setting_shows_the_servers_reason(server, driver):
    driver.get(server.url)
    until(lambda: column(driver, "plain"), what="the page")
    set_number(driver, "depth", 0)
    by(driver, "#ui-train")[0].click()
    until(lambda: "depth" in text(driver, "#status"), what="the error")
    assert text(driver, "#status") == "400: depth: must be a whole number from 1 to 128, got 0"
    assert by(driver, "#status.error") and not by(driver, "#loss-plot polyline")
    # the console shows the two refused requests (Train's, and the gradients at init for the
    # changed depth, sent a moment after it), and nothing else went wrong
    refused = []

    def both_refused():
        refused.extend(e["message"] for e in severe_errors(driver))
        return all(any(f"/api/{path}?" in m for m in refused) for path in ("runs", "init"))
    until(both_refused, what="both requests to be refused")
    assert all(re.search(r"/api/(runs|init)\?.* status of 400 \(Bad Request\)", message)
               for message in refused), refused


def test_a_diverging_run_says_so_on_the_plot(server, driver):
    driver.get(server.url)
    until(lambda: column(driver, "plain"), what="the page")
    for name, value in (("task", "identity"), ("init", "kaiming"), ("optimizer", "sgd")):
        choose(driver, name, value)
    set_number(driver, "depth", 20)
    set_number(driver, "width", 8)
    set_number(driver, "lr", 10)
    by(driver, "#ctl-skip")[0].click()
    by(driver, "#ui-train")[0].click()
    until(lambda: by(driver, "#loss-plot .diverged-label"), what="the divergence")
    run = text(driver, "#legend li span.diverged")
    assert "diverged at step" in run and "no longer a finite number" in run
    assert text(driver, "#loss-plot .diverged-label").startswith("run ")
    assert by(driver, "#loss-plot .diverged-mark")
    driver.save_screenshot(str(SHOTS / "explorer_diverged.png"))
    assert not severe_errors(driver)


def test_closing_the_page_ends_its_run(server, driver):
    driver.get(server.url)
    until(lambda: column(driver, "plain"), what="the page")
    set_number(driver, "steps", 5000)
    by(driver, "#ui-train")[0].click()
    until(lambda: by(driver, "#loss-plot polyline.curve"), what="the run's curve")
    assert len(server.runs.running()) == 1
    driver.get("about:blank")
    until(lambda: not server.runs.running(), timeout=10, what="the run to stop")


def test_the_reports_replay_plays_the_grid_back(driver, tmp_path):
    result = run_demo("explore_replay", ["--quick", "--out", str(tmp_path)])
    driver.get(Path(result["page"]).resolve().as_uri())
    assert "Replay, not live" in text(driver, "#banner")
    assert "python -m demos explore" in text(driver, "#banner")
    assert by(driver, "#ctl-depth")[0].is_enabled()               # depth is a grid axis
    assert not by(driver, "#ctl-lr")[0].is_enabled()              # fixed in the replay
    until(lambda: len(column(driver, "residual")) == 4, what="the init columns")
    by(driver, "#ui-train")[0].click()
    until(lambda: by(driver, '#legend li[data-run="1"][data-status="done"]'), what="replay 1")
    assert curve_points(driver, 1) == 20
    by(driver, "#ctl-skip")[0].click()
    by(driver, "#ui-train")[0].click()
    until(lambda: by(driver, '#legend li[data-run="2"][data-status="done"]'), what="replay 2")
    assert len(by(driver, "#loss-plot polyline.curve")) == 2
    driver.save_screenshot(str(SHOTS / "explorer_replay.png"))
    assert not severe_errors(driver)
