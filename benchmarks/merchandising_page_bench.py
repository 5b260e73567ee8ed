"""How long one rerun of the merchandising page takes: opened with no edits, and with an edit
whose what-if preview runs over the saved personas (the issue measured about 110 ms a rerun).

Runs the page with AppTest on a private copy of the catalog, never the real one; each timing is
the median of a few reruns after one warm-up, in wall-clock and in CPU time.

    .venv/bin/python -m benchmarks merchandising_page_bench
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "views" / "merchandiser.py"
REPEATS = 7
TARGET = "< 200 ms"


def _signed_in_page():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(PAGE), default_timeout=60)
    app.secrets.update({"bench": "isolated"})
    app.session_state["signin_user"] = "bench"
    app.session_state["signin_roles"] = ("merchandiser",)
    return app


def _median_rerun_ms(app) -> tuple[float, float]:
    """(wall-clock, CPU) milliseconds of one rerun, medians. The CPU time is this process's (the
    page runs in one of its threads), so it varies far less than the wall clock on a busy
    machine."""
    app.run()  # warm-up: imports and caches
    wall, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        app.run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    if app.exception:
        raise RuntimeError(f"the merchandising page failed: {app.exception[0].value}")
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def _edited(app):
    """The page with a product boosted, so every rerun draws the what-if preview."""
    from recommender.catalog.products import load_catalog

    row = load_catalog(Path(os.environ["RECOMMENDER_CATALOG"])).skus.index("SC-902")
    edits = {"edited_rows": {row: {"boost": 1.0}}, "added_rows": [], "deleted_rows": []}
    app.session_state["merch_products_0"] = edits
    return app


def run() -> list[dict]:
    """Rows: the merchandising page's rerun time, with and without an edit."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        shutil.copytree(
            ROOT / "catalog", scratch / "catalog", ignore=shutil.ignore_patterns(".history")
        )
        private = {
            "RECOMMENDER_CATALOG": str(scratch / "catalog"),
            "RECOMMENDER_DB": f"sqlite:///{scratch / 'merch.db'}",
            "RECOMMENDER_MODELS": str(scratch / "models"),
        }
        with mock.patch.dict(os.environ, private):
            opened = _median_rerun_ms(_signed_in_page())
            previewed = _median_rerun_ms(_edited(_signed_in_page()))
    return [
        _row("merch: page rerun, no edits", opened[0]),
        _row("merch: page rerun, no edits, CPU", opened[1]),
        _row("merch: page rerun with an edit (what-if preview)", previewed[0]),
        _row("merch: page rerun with an edit (what-if preview), CPU", previewed[1]),
    ]


def _row(name: str, value: float) -> dict:
    return {"name": name, "value": round(value, 1), "unit": "ms", "target": TARGET}


if __name__ == "__main__":
    for row in run():
        print(row)
