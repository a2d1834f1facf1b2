"""The notebooks (notebooks/NN_*.py).

Always: they are jupytext percent scripts with teaching text, and no .ipynb is committed.
With `-m notebooks` (make notebooks-test, CI, after notebooks/execute.py ran them): each
executed notebook finished without an error, the stepper notebook holds the inline stepper
(and it steps in a real Chromium), the demos' figures, progress bars and probes were drawn in the
cells' outputs by the real kernel.
"""
import html
import importlib.util
import re
import subprocess
from pathlib import Path

import pytest
from conftest import import_optional

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("[0-9][0-9]_*.py"))
HEADER = "# ---\n# jupyter:\n#   jupytext:\n"


def test_every_notebook_is_a_percent_script_that_teaches():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert text.startswith(HEADER) and "format_name: percent" in text, path.name
        markdown = text.count("\n# %% [markdown]")
        code = len(re.findall(r"^# %%$", text, re.M))
        assert markdown >= 4 and code >= 4, (path.name, markdown, code)
        compile(text, str(path), "exec")  # a notebook is also a valid Python script


def test_no_executed_notebook_is_committed():
    try:
        tracked = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert tracked == []


# ----- the executed notebooks: make notebooks-test ------------------------------------------

def _runner():
    spec = importlib.util.spec_from_file_location("notebooks_execute", FOLDER / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def executed():
    """name -> executed notebook, from out/notebooks (notebooks/execute.py), executed here
    with a real kernel when missing or older than its source."""
    nbformat = import_optional("nbformat", 'pip install -e ".[notebooks]"')
    runner = _runner()
    found = {}
    for path in NOTEBOOKS:
        target = runner.DEFAULT_OUT / f"{path.stem}.ipynb"
        if not target.exists() or target.stat().st_mtime < path.stat().st_mtime:
            import_optional("nbclient", 'pip install -e ".[notebooks]"')
            assert runner.execute(path)["error"] is None, path.name
        found[path.stem[:2]] = nbformat.read(target, as_version=4)
    return found


def outputs(notebook, key: str = None):
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if key is None or key in output.get("data", {}):
                yield output


@pytest.mark.notebooks
def test_every_notebook_ran_to_the_end_without_an_error(executed):
    for name, notebook in executed.items():
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.execution_count for cell in code), name
        assert not [o for o in outputs(notebook) if o.output_type == "error"], name


def stepper_frames(notebook) -> list:
    frames = []
    for output in outputs(notebook, "text/html"):
        frames += re.findall(r'<iframe class="tinygrad-res-stepper"[^>]*srcdoc="([^"]*)"',
                             output["data"]["text/html"])
    return [html.unescape(frame) for frame in frames]


@pytest.mark.notebooks
def test_the_stepper_notebook_holds_the_inline_stepper(executed):
    frames = stepper_frames(executed["02"])
    assert len(frames) == 2  # viz.Stepper as a cell's value, and viz.show_stepper
    for page in frames:
        assert '<svg id="graph-svg"' in page and '<script id="ui-steps"' in page
    assert "One residual layer: y = x + relu(W x + b)" in frames[0]
    assert "layers.0.linear.weight" in frames[0]
    assert "PreActBlock" in frames[1]


@pytest.mark.notebooks
def test_the_inline_stepper_from_the_kernel_steps_in_a_real_browser(executed, tmp_path):
    from test_viz_stepper import chrome

    frame_html = next(o["data"]["text/html"] for o in outputs(executed["02"], "text/html")
                      if "tinygrad-res-stepper" in o["data"]["text/html"])
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body>{frame_html}</body></html>", encoding="utf-8")
    driver = chrome(tmp_path)
    from selenium.webdriver.common.by import By

    try:
        driver.get(host.resolve().as_uri())
        driver.switch_to.frame(driver.find_element(By.TAG_NAME, "iframe"))
        title = driver.find_element(By.ID, "ui-step-title")
        assert title.text.startswith("Step 1 / 6: backward through mean")
        driver.find_element(By.ID, "ui-mode-forward").click()
        assert title.text.startswith("Step 1 / 6: linear")
        driver.find_element(By.ID, "ui-next").click()
        assert title.text.startswith("Step 2 / 6: relu")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        driver.quit()


@pytest.mark.notebooks
def test_demo_figures_and_progress_bars_are_drawn_in_the_outputs(executed):
    for name in ("03", "04", "05"):
        assert len(list(outputs(executed[name], "image/png"))) >= 2, name
    bars = [o["data"]["text/plain"] for o in outputs(executed["03"], "text/html")
            if "<progress" in o["data"]["text/html"]]
    assert bars and all(re.search(r"\] (\d+)/\1 ", bar) for bar in bars), bars  # all finished
    assert any(bar.startswith("depth sweep [") for bar in bars)


@pytest.mark.notebooks
def test_the_probes_display_inline(executed):
    """Notebook 03 shows a Probe as a cell's value (its _repr_html_) and two more on one
    gradient scale; each is a table of the 20 layers with a bar per number."""
    tables = [o["data"] for o in outputs(executed["03"], "text/html")
              if 'class="nets-probe"' in o["data"]["text/html"]]
    assert len(tables) == 2, len(tables)
    value, side_by_side = tables
    assert value["text/plain"].startswith("Probe of 20 module(s): after a forward and a "
                                          "backward pass")
    assert value["text/html"].count("<tr>") == 21
    assert side_by_side["text/html"].count('class="nets-probe"') == 2
    assert "(log scale, 1e-16 to 1e+01)" in side_by_side["text/html"]
    assert side_by_side["text/html"].count("<code>layers.19</code>") == 2
