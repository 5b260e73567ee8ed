"""`recommender serve --workers 2` under 16 concurrent clients on loopback, per store backend.

Every client loop is bounded twice: at most `REQUESTS` requests in all and at most
`SECONDS_PER_BACKEND` seconds, and traffic goes only to 127.0.0.1. The ratio compares the
API's requests per second with `recommender recommend --batch --rules-only` on the same answers
(lines per second, start-up included, as a script runs it). Target: at least half the batch
throughput, with 0 errors. PostgreSQL runs only when RECOMMENDER_TEST_PG_URL is set.

    .venv/bin/python -m benchmarks api_bench
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from benchmarks.engine_bench import batch_seconds, sample_answers
from tests.api.live_server import LOOPBACK, live_server

CATALOG_DIR = Path(__file__).resolve().parents[1] / "catalog"
CLIENTS = 16
WORKERS = 2
REQUESTS = 1_600
SECONDS_PER_BACKEND = 60.0
WARM_UP = 2 * WORKERS * 4
BATCH_LINES = 2_000


def run() -> list[dict]:
    answers = sample_answers(200)
    batch_wall, _cpu = batch_seconds(BATCH_LINES, "--rules-only")
    batch_rate = BATCH_LINES / batch_wall
    rows = [
        {
            "name": f"recommend --batch --rules-only, {BATCH_LINES:,} lines",
            "value": batch_rate,
            "unit": "lines/s",
            "target": "",
        }
    ]
    backends = [("SQLite", None)]
    if os.environ.get("RECOMMENDER_TEST_PG_URL"):
        backends.append(("PostgreSQL", os.environ["RECOMMENDER_TEST_PG_URL"]))
    for label, pg_url in backends:
        rows += _backend_rows(label, pg_url, answers, batch_rate)
    return rows


def _backend_rows(label: str, pg_url: str | None, answers: list[dict], batch_rate: float) -> list:
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        work = Path(tmp)
        shutil.copytree(CATALOG_DIR, work / "catalog")
        if pg_url is None:
            db_url = f"sqlite:///{work / 'feedback.db'}"
        else:
            from recommender.feedback.scratch import scratch_schema

            db_url = stack.enter_context(scratch_schema(pg_url, "bench"))
        env = {
            "RECOMMENDER_DB": db_url,
            "RECOMMENDER_CATALOG": str(work / "catalog"),
            "RECOMMENDER_MODELS": str(work / "models"),
        }
        base, _log = stack.enter_context(live_server(env, work, workers=WORKERS))
        assert base.startswith(f"http://{LOOPBACK}:")  # loopback only, whatever changes above
        latencies, errors, seconds = asyncio.run(_load(base, answers))
    done = len(latencies)
    rate = done / seconds if seconds else 0.0
    cut = statistics.quantiles(latencies, n=100) if done >= 2 else [0.0] * 99
    name = f"API, {CLIENTS} clients, {WORKERS} workers, {label}"
    return [
        {"name": f"{name}: throughput", "value": rate, "unit": "req/s", "target": ""},
        {"name": "  p50 latency", "value": cut[49] * 1000, "unit": "ms", "target": ""},
        {"name": "  p99 latency", "value": cut[98] * 1000, "unit": "ms", "target": ""},
        {"name": "  ratio to --batch", "value": rate / batch_rate, "unit": "x", "target": ">= 0.5"},
        {"name": "  errors", "value": errors, "unit": f"of {done + errors}", "target": "0"},
    ]


async def _load(base: str, answers: list[dict]) -> tuple[list[float], int, float]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        # Each worker builds its engine on its first request; that is start-up, not load.
        await asyncio.gather(*(_one(http, answers[n]) for n in range(WARM_UP)))
        latencies: list[float] = []
        errors = 0
        issued = 0
        deadline = time.monotonic() + SECONDS_PER_BACKEND

        async def client() -> None:
            nonlocal errors, issued
            while issued < REQUESTS and time.monotonic() < deadline:
                issued += 1
                ok, took = await _one(http, answers[issued % len(answers)])
                if ok:
                    latencies.append(took)
                else:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        return latencies, errors, time.monotonic() - started


async def _one(http: httpx.AsyncClient, answers: dict) -> tuple[bool, float]:
    started = time.perf_counter()
    try:
        reply = await http.post("/v1/recommendations", json={"answers": answers, "k": 5})
        ok = reply.status_code == 200 and reply.json().get("session_id") is not None
    except httpx.HTTPError:
        ok = False
    return ok, time.perf_counter() - started
