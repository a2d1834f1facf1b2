"""Seed 003's "See the block, and the reach" (demos/explorer/block_page.py): the columns are
coloured by log magnitude, `python -m demos stepper` writes the page with gradient_reach's
numbers, the live server serves it, and in a real Chromium the stepper steps inside it."""
import re
from pathlib import Path

from browser import SHOTS, by, chrome, severe_errors, text, until
from conftest import import_optional, missing_optional
from explorer_helpers import external_urls, serving

from demos.cli import run_demo
from demos.explorer.block_page import log_domain, magma, reach_svg
from demos.gradient_reach import measure_reach


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


def test_the_live_app_links_to_it_and_it_steps_in_a_real_browser(tmp_path):
    import_optional("graphviz", "pip install graphviz")
    from viz_helpers import require_renderer
    require_renderer("svg")
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = chrome(tmp_path)
    try:
        with serving() as server:
            driver.get(server.url)
            link = until(lambda: by(driver, "#nav-block"))[0]
            link.click()
            until(lambda: by(driver, "#reach-columns"), what="the block page")
            cells = by(driver, "#reach-columns rect.layer")
            assert len(cells) == 40  # 20 layers, plain and residual
            plain, residual = [float(c.get_attribute("data-norm")) for c in (cells[0], cells[20])]
            assert plain < 1e-3 < 1 < residual  # the bottom layer: faded, and still bright
            driver.switch_to.frame(by(driver, "#block-stepper")[0])
            title = text(driver, "#ui-step-title")
            by(driver, "#ui-next")[0].click()
            assert text(driver, "#ui-step-title") not in ("", title)
            driver.switch_to.default_content()
            driver.save_screenshot(str(SHOTS / "explorer_block.png"))
            driver.execute_script("document.getElementById('reach-columns').scrollIntoView()")
            driver.save_screenshot(str(SHOTS / "explorer_reach.png"))
            assert not severe_errors(driver)
    finally:
        driver.quit()
