"""viz.Stepper / viz.show_stepper: the stepper page as an inline notebook output, checked as
text and inside an iframe of a host page in a real (headless) Chromium, as a notebook
front-end puts it into its page."""
import html
import re
import sys
import types

import pytest
from test_viz_stepper import chrome
from viz_helpers import require_graphviz, require_renderer

import nets
from nets.losses import mse_loss
from tinygrad_res import Tensor, viz

require_graphviz()


@pytest.fixture(scope="module")
def loss():
    require_renderer("svg")
    return viz.residual_mlp_example(blocks=2)


def srcdoc(frame_html: str) -> str:
    found = re.fullmatch(r'<iframe [^>]*srcdoc="([^"]*)"></iframe>', frame_html, re.S)
    assert found, frame_html[:200]
    return html.unescape(found.group(1))


def test_inline_output_is_an_iframe_holding_the_whole_stepper_page(loss):
    stepper = viz.Stepper(loss, height=500)
    frame = stepper._repr_html_()
    assert 'sandbox="allow-scripts"' in frame and "height: 500px" in frame
    assert srcdoc(frame) == viz.stepper_html(loss) == stepper.page
    assert "notebook" in repr(stepper)


def test_options_reach_the_page_and_names_may_be_a_generator():
    require_renderer("svg")
    model = nets.ResMLP(1, 3, seed=0)
    x = Tensor([[1.0, -2.0, 0.5]], requires_grad=True, name="x")
    loss = mse_loss(model(x), Tensor([[0.0, 1.0, 2.0]]))
    stepper = viz.Stepper(loss, names=model.named_parameters(), title="one layer")
    page = srcdoc(stepper._repr_html_())
    assert "<title>one layer</title>" in page
    assert "layers.0.linear.weight" in page  # the generator was read once, for both passes


def test_save_writes_the_same_page(loss, tmp_path):
    stepper = viz.Stepper(loss)
    path = stepper.save(tmp_path / "sub" / "stepper.html")
    assert path.read_text(encoding="utf-8") == stepper.page


@pytest.mark.parametrize("height", [50, 600.0, True, "700"])
def test_bad_height_is_a_clear_error(loss, height):
    with pytest.raises(ValueError, match="Stepper: height must be a whole number of pixels"):
        viz.Stepper(loss, height=height)


def test_show_stepper_displays_through_ipython(loss, monkeypatch):
    shown = []
    display_module = types.ModuleType("IPython.display")
    display_module.display = shown.append
    monkeypatch.setitem(sys.modules, "IPython", types.ModuleType("IPython"))
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    assert viz.show_stepper(loss, height=400) is None
    assert len(shown) == 1 and isinstance(shown[0], viz.Stepper) and shown[0].height == 400


def test_show_stepper_without_ipython_says_what_to_use(loss, monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setitem(sys.modules, "IPython.display", None)
    with pytest.raises(RuntimeError, match="IPython is not installed.*save_stepper"):
        viz.show_stepper(loss)


def test_real_browser_steps_through_the_stepper_inside_its_frame(loss, tmp_path):
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html><body><h1>a notebook</h1><div class='output'>"
                    f"{viz.Stepper(loss, height=800)._repr_html_()}</div></body></html>",
                    encoding="utf-8")
    driver = chrome(tmp_path)
    from selenium.webdriver.common.by import By

    try:
        driver.get(host.resolve().as_uri())
        frame = driver.find_element(By.CSS_SELECTOR, "iframe.tinygrad-res-stepper")
        assert 800 <= frame.size["height"] <= 804 and frame.size["width"] > 1000
        driver.switch_to.frame(frame)
        title = driver.find_element(By.ID, "ui-step-title")
        assert title.text.startswith("Step 1 / 9: backward through mean")
        for _ in range(3):
            driver.find_element(By.ID, "ui-next").click()
        assert title.text.startswith("Step 4 / 9: backward through add")
        assert driver.find_elements(By.CSS_SELECTOR, "#ui-step-blocks .block.skip")
        assert driver.find_elements(By.CSS_SELECTOR, "#graph-svg g.current")
        driver.switch_to.default_content()
        driver.save_screenshot(str(tmp_path / "inline_stepper.png"))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        driver.quit()
    assert (tmp_path / "inline_stepper.png").stat().st_size > 10_000
