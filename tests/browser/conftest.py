"""What every browser test needs: a real `streamlit run` server, headless Chromium, screenshots.

Each test module starts its own server with the environment its pages need (`running_app`);
the screenshots land in docs/screenshots/ for people to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
WAIT_MS = 20_000
# For `pytestmark` in each browser test module: selectable with -m, skipped without Chromium.
BROWSER_TESTS = [
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


@contextmanager
def running_app(env: Mapping[str, str], folder: Path) -> Iterator[str]:
    """The app served on a free port with `env` on top of ours; yields its URL, then stops it.

    The server's output goes to `folder`/streamlit.log, to read when a test fails.
    """
    port = _free_port()
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
    with (folder / "streamlit.log").open("w") as log:  # a file, not a pipe: a full pipe blocks
        server = subprocess.Popen(
            command, cwd=ROOT, env=os.environ | dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shoot(page, name: str) -> None:
    """A screenshot of the whole page once Streamlit has finished its rerun."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached")
    # Streamlit scrolls inside its own container, so a "full page" shot would stop at the
    # viewport: grow the viewport to the content's height for the shot, then put it back.
    viewport = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    full = {"width": viewport["width"], "height": max(height, viewport["height"])}
    page.set_viewport_size(full)
    # The pointer stays where the last click was, which after the resize can sit on a heading
    # or a table and draw hover-only icons: park it in the empty bottom-right corner.
    page.mouse.move(full["width"] - 2, full["height"] - 2)
    page.wait_for_timeout(200)
    page.screenshot(path=SHOTS / name)
    page.set_viewport_size(viewport)
