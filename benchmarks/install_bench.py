"""Clone to a usable page: `git clone`, then `make run` until the app answers (under 45 s).

A fresh clone of this checkout's last commit gets a cold virtual environment; `make run` builds
it from requirements/runtime.lock and starts Streamlit on a free port, and the clock stops when
the page answers HTTP 200. Two rows: with uv's download cache as this machine has it (a second
clone, or CI after a first run) and with an empty cache (a new machine: every wheel downloaded).

    .venv/bin/python -m benchmarks install_bench
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = "< 45 s"
GIVE_UP_AFTER = 600.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def clone_to_url(cache_dir: str | None) -> float:
    """Seconds from `git clone` to the app's page answering, for one fresh clone."""
    port = _free_port()
    environment = {
        **os.environ,
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_HEADLESS": "true",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    environment.pop("VIRTUAL_ENV", None)
    environment.pop("PYTHONPATH", None)
    if cache_dir is not None:
        environment["UV_CACHE_DIR"] = cache_dir
    with tempfile.TemporaryDirectory(prefix="clone-to-url-") as work:
        started = time.perf_counter()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), work], check=True)
        server = subprocess.Popen(
            ["make", "run"],
            cwd=work,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while not _answers(f"http://127.0.0.1:{port}/"):
                if server.poll() is not None:
                    raise RuntimeError(f"make run ended with {server.returncode}")
                if time.perf_counter() - started > GIVE_UP_AFTER:
                    raise TimeoutError("make run gave no page in time")
                time.sleep(0.25)
            return time.perf_counter() - started
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def run() -> list[dict]:
    """Two rows: clone-to-URL with this machine's download cache, and with an empty one."""
    warm = clone_to_url(cache_dir=None)
    with tempfile.TemporaryDirectory(prefix="uv-cache-") as empty_cache:
        cold = clone_to_url(cache_dir=empty_cache)
    return [
        {
            "name": "clone to URL, make run (uv cache warm)",
            "value": warm,
            "unit": "s",
            "target": TARGET,
        },
        {
            "name": "clone to URL, make run (empty uv cache)",
            "value": cold,
            "unit": "s",
            "target": TARGET,
        },
    ]
