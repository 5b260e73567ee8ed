"""The finder in a real headless Chromium, at phone and desktop widths, with screenshots.

The screenshots land in docs/screenshots/ for people to look at; the test itself asserts what a
shopper would notice: ranked cards after the questions, and no products after a red flag.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WAIT_MS = 20_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {seconds:.0f} s")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = os.environ | {
        "RECOMMENDER_DB": f"sqlite:///{folder / 'feedback.db'}",
        "RECOMMENDER_MODELS": str(folder / "models"),
        "RECOMMENDER_EXPLORE_SHARE": "0",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    log = (folder / "streamlit.log").open("w")  # a file, not a pipe: a full pipe would block
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, app_url: str, width: str):
    page = browser.new_page(viewport=WIDTHS[width])
    page.set_default_timeout(WAIT_MS)
    page.goto(app_url)
    page.get_by_text("Step 1 of 5").wait_for()
    return page


def _next(page, step_text: str) -> None:
    page.get_by_role("button", name="Next").click()
    page.get_by_text(step_text).wait_for()


def _shoot(page, name: str) -> None:
    """A screenshot of the whole page once Streamlit has finished its rerun."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached")
    # Streamlit scrolls inside its own container, so a "full page" shot would stop at the
    # viewport: grow the viewport to the content's height for the shot, then put it back.
    viewport = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    page.wait_for_timeout(200)
    page.screenshot(path=SHOTS / name)
    page.set_viewport_size(viewport)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_shopper_answers_and_sees_ranked_cards(browser, app_url: str, width: str) -> None:
    page = _open(browser, app_url, width)
    page.get_by_text("50 to 64").click()
    _shoot(page, f"questionnaire-{width}.png")
    _next(page, "Step 2 of 5")
    page.get_by_role("button", name="Knee", exact=True).click()
    page.get_by_text("Which knee?").wait_for()
    page.get_by_role("button", name="Lower back").click()
    page.get_by_text("Do your back and knee hurt at the same time?").wait_for()
    page.get_by_text("Left", exact=True).click()
    _shoot(page, f"questionnaire-step2-{width}.png")
    _next(page, "Step 3 of 5")
    page.get_by_text("Both feet").click()
    _next(page, "Step 4 of 5")
    _next(page, "Step 5 of 5")
    page.get_by_role("button", name="Show my matches").click()
    first_card = page.get_by_role("heading", name=re.compile(r"^1\. "))
    first_card.wait_for()
    assert page.get_by_role("heading", name=re.compile(r"^2\. ")).is_visible()
    assert page.get_by_text("Because you told us").first.is_visible()
    _shoot(page, f"results-{width}.png")
    if width == "phone":  # the score parts, opened on the narrowest screen
        page.get_by_text("Why this order").first.click()
        parts = page.get_by_text("Your answers:").first
        parts.wait_for()
        parts.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / "why-this-order-phone.png")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_red_flag_stops_with_no_products(browser, app_url: str, width: str) -> None:
    page = _open(browser, app_url, width)
    page.get_by_text("One calf is painful, swollen, warm or red").click()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Please see a doctor today").wait_for()
    assert page.get_by_role("button", name="Add to cart").count() == 0
    _shoot(page, f"red-flag-stop-{width}.png")
