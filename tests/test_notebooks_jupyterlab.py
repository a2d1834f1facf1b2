"""The stepper notebook as a student uses it: a real JupyterLab server (with jupytext, as
`make notebooks` sets it up) opens notebooks/02_*.py as a notebook in headless Chromium, runs
every cell in a real kernel, and the inline stepper steps inside the notebook page.
Selected with -m notebooks (make notebooks-test, CI): it takes a minute."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import import_optional
from test_viz_stepper import chrome

NOTEBOOK = next((Path(__file__).resolve().parent.parent / "notebooks").glob("02_*.py"))
TOKEN = "tinygrad-res-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on a free localhost port, serving a copy of the notebook (its
    autosave must not touch the repository); its URL. Stopped afterwards."""
    import_optional("jupyterlab", 'pip install -e ".[lab]"')
    import_optional("jupytext", 'pip install -e ".[lab]"')
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={TOKEN}",
         "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={root}"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "server.log", "wb"))
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2) as reply:
                return reply.status == 200
        except OSError:
            return False

    try:
        wait_for(up, 120, "the JupyterLab server")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.notebooks
def test_jupyterlab_runs_the_stepper_notebook_and_the_stepper_steps(jupyterlab, tmp_path):
    driver = chrome(tmp_path)
    from selenium.webdriver.common.by import By

    try:
        driver.get(f"{jupyterlab}/lab?token={TOKEN}")
        wait_for(lambda: driver.execute_script("return !!window.jupyterapp"), 120, "JupyterLab")
        driver.set_script_timeout(120)
        opened = driver.execute_async_script(  # "Open With > Notebook": jupytext reads the .py
            "const done = arguments[arguments.length - 1], app = window.jupyterapp;"
            "app.restored.then(() => app.commands.execute('docmanager:open',"
            "  {path: arguments[0], factory: 'Notebook'}))"
            ".then(widget => widget.context.sessionContext.ready)"
            ".then(() => done('ok'), error => done(String(error)));", NOTEBOOK.name)
        assert opened == "ok", opened
        driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        frames = wait_for(lambda: driver.find_elements(
            By.CSS_SELECTOR, "iframe.tinygrad-res-stepper"), 300, "the inline stepper")
        shown = wait_for(lambda: driver.execute_script(  # in the notebook's outputs, drawn or not
            "const cells = window.jupyterapp.shell.currentWidget.content.model.cells; let n = 0;"
            "for (let i = 0; i < cells.length; i++) { const outputs = cells.get(i).outputs;"
            "  if (!outputs) continue;"
            "  for (let j = 0; j < outputs.length; j++) {"
            "    const html = outputs.get(j).data['text/html'];"
            "    if (html && String(html).includes('tinygrad-res-stepper')) n++; } }"
            "return n === 2 ? n : 0;"), 300, "both steppers in the outputs")
        assert shown == 2
        driver.execute_script("arguments[0].scrollIntoView()", frames[0])
        driver.switch_to.frame(frames[0])
        title = driver.find_element(By.ID, "ui-step-title")
        assert title.text.startswith("Step 1 / 6: backward through mean")
        for _ in range(3):
            driver.find_element(By.ID, "ui-next").click()
        assert title.text.startswith("Step 4 / 6: backward through add")
        assert driver.find_elements(By.CSS_SELECTOR, "#ui-step-blocks .block.skip")
        driver.switch_to.default_content()
        driver.save_screenshot(str(tmp_path / "jupyterlab_stepper.png"))
        errors = [e for e in driver.execute_script(
            "return Array.from(document.querySelectorAll('.jp-OutputArea-output[data-mime-type="
            "\"application/vnd.jupyter.stderr\"]')).map(e => e.textContent)")
            if "Error" in e]
        assert not errors, errors
    finally:
        driver.quit()
    assert (tmp_path / "jupyterlab_stepper.png").stat().st_size > 10_000
