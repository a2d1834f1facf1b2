"""A real headless Chromium for the page tests (selenium with the system chromedriver: no
download), and reading a page that redraws itself. Missing tools skip on a student's machine
and fail in CI (conftest.py)."""
import shutil
import time
from pathlib import Path

from conftest import import_optional, missing_optional

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"  # to be looked at


def chrome(tmp_path, size: str = "1400,1000"):
    """A headless Chromium driven by selenium, with a fresh profile under `tmp_path`."""
    webdriver = import_optional("selenium.webdriver", "pip install selenium")
    for program in (CHROMIUM, CHROMEDRIVER):
        if shutil.which(program) is None:
            missing_optional(f"{program} is not installed (apt install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={tmp_path / 'chrome-profile'}",
                 f"--window-size={size}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # an explicit driver path: selenium-manager then downloads nothing
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def severe_errors(driver) -> list:
    """The browser console's errors (a failed request, an exception in the page)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def until(condition, timeout=20.0, what="the page"):
    """Poll `condition` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def by(driver, css):
    """The elements that match a CSS selector."""
    from selenium.webdriver.common.by import By
    return driver.find_elements(By.CSS_SELECTOR, css)


def text(driver, css):
    """The text of the first element that matches, read in one script: a page that redraws
    many times a second may replace an element between two selenium calls."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", css)
