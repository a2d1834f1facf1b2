"""`python -m bench.stepper_pages`: how big the stepper page gets and how fast it opens and steps,
for a ResNet-8, a 20-block and a 100-block ResMLP (issue 16, item 2), in headless Chromium.

For each model: the time to build the page in Python, its size, and in the browser (each page
loaded `--loads` times, medians): the time from navigation to the end of the page's script
(the first step drawn and framed) and to the first contentful paint, the number of elements,
the script time of one step (click Next and lay out, every backward step in a row), and the
steps per second when each step is also painted (one step per animation frame, at most 60).
Not part of `make bench` (that one times the engine); needs selenium and /usr/bin/chromium.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import nets
from nets.losses import cross_entropy, mse_loss
from tinygrad_res import Tensor, viz

CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000")
STEP_SCRIPT = """
const b = document.getElementById('ui-next'), n = Number(document.getElementById('ui-slider').max);
const t = performance.now();
for (let i = 0; i < n; i++) { b.click(); document.body.getBoundingClientRect(); }
return [n, performance.now() - t];"""
PAINTED_SCRIPT = """
const done = arguments[0], b = document.getElementById('ui-next');
document.getElementById('ui-mode-forward').click();
document.getElementById('ui-mode-backward').click();
const n = Math.min(Number(document.getElementById('ui-slider').max), 200);
let i = 0; const t = performance.now();
function f() { if (i++ >= n) { done([n, performance.now() - t]); return; }
               b.click(); requestAnimationFrame(f); }
requestAnimationFrame(f);"""


def model_loss(name: str):
    """(loss, name_modules record) for one of the measured models."""
    rng = np.random.default_rng(0)
    if name == "ResNet-8":
        model = nets.ResNet(8, num_classes=10, seed=0)
        with viz.name_modules(model) as named:
            loss = cross_entropy(model(Tensor(rng.standard_normal((2, 1, 8, 8)))),
                                 np.array([1, 3]))
        return loss, named
    blocks = int(name.split("-")[1])
    model = nets.ResMLP(blocks, 8, seed=0)
    with viz.name_modules(model) as named:
        loss = mse_loss(model(Tensor(rng.standard_normal((4, 8)))),
                        Tensor(rng.standard_normal((4, 8))))
    return loss, named


def browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROME_FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"),
                            options=options)


def measure(driver, page: Path, loads: int) -> dict:
    ready, paint, per_step, painted = [], [], [], []
    for _ in range(loads):
        driver.get(page.resolve().as_uri())
        deadline = time.monotonic() + 60
        while not driver.execute_script("return document.body.dataset.ready"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{page}: the page's script did not finish")
            time.sleep(0.05)
        ready.append(float(driver.execute_script("return document.body.dataset.ready")))
        paint.append(driver.execute_script(
            "const p = performance.getEntriesByType('paint')"
            ".find(e => e.name === 'first-contentful-paint'); return p ? p.startTime : null;"))
        steps, ms = driver.execute_script(STEP_SCRIPT)
        per_step.append(ms / steps)
        steps, ms = driver.execute_async_script(PAINTED_SCRIPT)
        painted.append(steps / ms * 1000)
    return {"ready_ms": statistics.median(ready), "paint_ms": statistics.median(paint),
            "elements": driver.execute_script("return document.getElementsByTagName('*').length"),
            "ms_per_step": statistics.median(per_step),
            "painted_steps_per_s": statistics.median(painted)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=3, help="page loads per model (default 3)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        driver = browser(Path(tmp) / "profile")
        try:
            for name in ("ResNet-8", "ResMLP-20", "ResMLP-100"):
                loss, named = model_loss(name)
                start = time.perf_counter()
                page = viz.save_stepper(loss, Path(tmp) / f"{name}.html", names=named,
                                        clusters=named.clusters, title=name)
                built = time.perf_counter() - start
                backward = sum(1 for _ in viz.trace_backward(loss))
                rows.append((name, backward, built, page.stat().st_size,
                             measure(driver, page, args.loads)))
        finally:
            driver.quit()
    print("| model | backward steps | build (s) | page (KiB) | script done (ms) | first paint (ms)"
          " | elements | ms per step | painted steps/s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, steps, built, size, m in rows:
        print(f"| {name} | {steps} | {built:.2f} | {size / 1024:.0f} | {m['ready_ms']:.0f} | "
              f"{m['paint_ms']:.0f} | {m['elements']} | {m['ms_per_step']:.1f} | "
              f"{m['painted_steps_per_s']:.1f} |")


if __name__ == "__main__":
    main()
