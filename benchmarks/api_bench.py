"""`recommender serve --workers 2` under 16 concurrent clients on loopback, per store backend.

Every client loop is bounded twice: at most `REQUESTS` requests in all and at most
`SECONDS_PER_BACKEND` seconds, and traffic goes only to 127.0.0.1. The ratio compares the
API's requests per second with `recommender recommend --batch --rules-only` on the same answers
(lines per second, start-up included, as a script runs it), measured right before and right
after each API run, since a shared machine's load drifts; each ratio uses the mean of those
two. Target: at least half the batch throughput, with 0 errors. PostgreSQL runs only when RECOMMENDER_TEST_PG_URL is set.

Two load generators share the server's two cores, so each is measured, with the CPU it spends
per request: httpx's AsyncClient (more CPU per request than the server itself spends, so it
measures mostly itself), and `LeanClient`, one raw keep-alive HTTP/1.1 connection per client
with the bodies encoded once, which leaves the cores to the server, as a shop's pages calling
from other hosts would. The target is judged on the lean client and on `wrk`.

`wrk` (the Debian package: `apt-get install -y wrk`) is the third load generator: one C thread
with 16 keep-alive connections, POSTing the same answers in turn from a generated Lua script.
Without it, its row says how to install it and the rest still runs.

The servers run with RECOMMENDER_API_RATE far above what a benchmark sends: the per-client rate
limit is not what is measured here (each load generator is one client at one address).

    .venv/bin/python -m benchmarks api_bench
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from benchmarks.engine_bench import batch_seconds, sample_answers
from tests.api.live_server import LOOPBACK, live_server

CATALOG_DIR = Path(__file__).resolve().parents[1] / "catalog"
CLIENTS = 16
WORKERS = 2
REQUESTS = 5_000
SECONDS_PER_BACKEND = 60.0
WARM_UP = 2 * WORKERS * 4
BATCH_LINES = 2_000
WRK_SECONDS = 20
WRK_INSTALL = "wrk is not installed: apt-get install -y wrk (Debian) to measure with it"
# Far above what any load generator here sends: the rate limit is not what is measured.
BENCH_RATE = "10000000"


def run() -> list[dict]:
    """Rows: API throughput and latency against `recommend --batch`, per store and client."""
    answers = sample_answers(200)
    backends: list[tuple[str, str | None]] = [("SQLite", None)]
    if os.environ.get("RECOMMENDER_TEST_PG_URL"):
        backends.append(("PostgreSQL", os.environ["RECOMMENDER_TEST_PG_URL"]))
    clients = ("httpx", "lean", "wrk") if shutil.which("wrk") else ("httpx", "lean")
    runs = [(label, pg_url, client) for label, pg_url in backends for client in clients]
    batch_rates = [_batch_rate()]
    loads: list[tuple[Any, ...]] = []
    for _label, pg_url, client in runs:
        loads.append(_serve_and_load(pg_url, answers, client))
        batch_rates.append(_batch_rate())
    rows = [
        {
            "name": f"recommend --batch --rules-only, {BATCH_LINES:,} lines (each time)",
            "value": " / ".join(f"{rate:,.0f}" for rate in batch_rates),
            "unit": "lines/s",
            "target": "",
        }
    ]
    for n, ((label, _pg_url, client), load) in enumerate(zip(runs, loads, strict=True)):
        around = (batch_rates[n] + batch_rates[n + 1]) / 2
        if client == "wrk":
            rate, p50, p99, errors, total = load
            rows += _wrk_rows(f"{label}, wrk", rate, p50, p99, errors, total, around)
        else:
            latencies, failed, seconds, client_cpu = load
            rows += _rows(
                f"{label}, {client} clients", latencies, failed, seconds, client_cpu, around
            )
    if "wrk" not in clients:
        rows.append({"name": "API under wrk", "value": WRK_INSTALL, "unit": "", "target": ""})
    return rows + _hung_store_rows(answers[0])


def _hung_store_rows(answers: dict) -> list[dict]:
    """How long a recommendation takes while another program holds the store's write lock
    (SQLite, in this process): the shopper should still get results within about 2 s."""
    import sqlite3

    from fastapi.testclient import TestClient

    from recommender.api import create_app
    from recommender.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(CATALOG_DIR, work / "catalog")
        settings = Settings(
            db_url=f"sqlite:///{work / 'feedback.db'}",
            catalog_dir=work / "catalog",
            models_dir=work / "models",
        )
        app = create_app(settings, api_keys=(), rate_per_minute=int(BENCH_RATE))
        with TestClient(app) as client:
            body = {"answers": answers, "k": 5}
            assert client.post("/v1/recommendations", json=body).json()["session_id"]
            holder = sqlite3.connect(work / "feedback.db", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            started = time.perf_counter()
            reply = client.post("/v1/recommendations", json=body).json()
            took = time.perf_counter() - started
            health = client.get("/v1/health").json()["store"]
            holder.execute("ROLLBACK")
            holder.close()
        app.state.worker.close()
    logged = "logged" if reply.get("session_id") else "not logged, with a note"
    return [
        {
            "name": f"a recommendation with the store locked ({logged}; health: {health})",
            "value": took,
            "unit": "s",
            "target": "<= 2",
        }
    ]


def _batch_rate() -> float:
    wall, _cpu = batch_seconds(BATCH_LINES, "--rules-only")
    return BATCH_LINES / wall


def _serve_and_load(pg_url: str | None, answers: list[dict], client: str) -> tuple[Any, ...]:
    with _server(pg_url) as (base, work):
        if client == "wrk":
            return _wrk_load(base, answers, work)
        load = _load if client == "httpx" else _lean_load
        cpu_before = time.process_time()
        latencies, errors, seconds = asyncio.run(load(base, answers))
        client_cpu = (time.process_time() - cpu_before) / max(1, len(latencies) + errors)
        return latencies, errors, seconds, client_cpu


@contextmanager
def _server(pg_url: str | None) -> Iterator[tuple[str, Path]]:
    """`serve --workers 2` over a fresh store; yields its base URL and a scratch folder."""
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
            "RECOMMENDER_API_RATE": BENCH_RATE,
        }
        base, _log = stack.enter_context(live_server(env, work, workers=WORKERS))
        assert base.startswith(f"http://{LOOPBACK}:")  # loopback only, whatever changes above
        yield base, work


def _wrk_load(base: str, answers: list[dict], work: Path) -> tuple[float, float, float, int, int]:
    """wrk's requests per second, p50 and p99 latency (ms), non-2xx replies and requests."""
    # Each worker builds its engine on its first request; that is start-up, not load.
    with httpx.Client(base_url=base, timeout=60) as http:
        for n in range(WARM_UP):
            http.post("/v1/recommendations", json={"answers": answers[n], "k": 5})
    script = work / "answers.lua"
    bodies = ",\n".join(f"[==[{json.dumps({'answers': a, 'k': 5})}]==]" for a in answers)
    script.write_text(
        f"local bodies = {{\n{bodies}\n}}\nlocal n = 0\n"
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        "request = function()\n  n = n + 1\n"
        '  return wrk.format(nil, "/v1/recommendations", nil, bodies[n % #bodies + 1])\nend\n'
    )
    done = subprocess.run(
        ["wrk", "-t1", f"-c{CLIENTS}", f"-d{WRK_SECONDS}s", "--latency", "-s", str(script),
         f"{base}/v1/recommendations"],
        capture_output=True, text=True, timeout=WRK_SECONDS + 60, check=True,
    )  # fmt: skip
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, failed.groups())) if failed else 0)
    return rate, _wrk_ms(out, "50%"), _wrk_ms(out, "99%"), errors, total


def _wrk_ms(out: str, percentile: str) -> float:
    found = re.search(rf"^\s*{percentile}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if found is None:
        return float("nan")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    return float(found.group(1)) * scale


def _wrk_rows(
    label: str, rate: float, p50: float, p99: float, errors: int, total: int, batch_rate: float
) -> list[dict]:
    name = f"API, {CLIENTS} connections, {WORKERS} workers, {label}"
    return [
        {"name": f"{name}: throughput", "value": rate, "unit": "req/s", "target": ""},
        {"name": "  p50 latency", "value": p50, "unit": "ms", "target": ""},
        {"name": "  p99 latency", "value": p99, "unit": "ms", "target": ""},
        {"name": "  ratio to --batch", "value": rate / batch_rate, "unit": "x", "target": ">= 0.5"},
        {"name": "  errors", "value": errors, "unit": f"of {total}", "target": "0"},
    ]


def _rows(
    label: str,
    latencies: list[float],
    errors: int,
    seconds: float,
    client_cpu: float,
    batch_rate: float,
) -> list[dict]:
    done = len(latencies)
    rate = done / seconds if seconds else 0.0
    cut = statistics.quantiles(latencies, n=100) if done >= 2 else [0.0] * 99
    name = f"API, {CLIENTS} clients, {WORKERS} workers, {label}"
    judged = ">= 0.5" if "lean" in label else "(client-bound)"
    return [
        {"name": f"{name}: throughput", "value": rate, "unit": "req/s", "target": ""},
        {"name": "  p50 latency", "value": cut[49] * 1000, "unit": "ms", "target": ""},
        {"name": "  p99 latency", "value": cut[98] * 1000, "unit": "ms", "target": ""},
        {"name": "  ratio to --batch", "value": rate / batch_rate, "unit": "x", "target": judged},
        {"name": "  errors", "value": errors, "unit": f"of {done + errors}", "target": "0"},
        {
            "name": "  load generator CPU",
            "value": client_cpu * 1000,
            "unit": "ms/req",
            "target": "",
        },
    ]


async def _load(base: str, answers: list[dict]) -> tuple[list[float], int, float]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        # Each worker builds its engine on its first request; that is start-up, not load.
        await asyncio.gather(*(_one(http, answers[n]) for n in range(WARM_UP)))
        return await _drive([lambda n: _one(http, answers[n % len(answers)])] * CLIENTS)


async def _drive(
    clients: list[Callable[[int], Awaitable[tuple[bool, float]]]],
) -> tuple[list[float], int, float]:
    """Each client sends its next request as soon as its last one is answered, until
    `REQUESTS` in all or `SECONDS_PER_BACKEND`; returns latencies, errors and seconds."""
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.monotonic() + SECONDS_PER_BACKEND

    async def client(send: Callable[[int], Awaitable[tuple[bool, float]]]) -> None:
        nonlocal errors, issued
        while issued < REQUESTS and time.monotonic() < deadline:
            issued += 1
            ok, took = await send(issued)
            if ok:
                latencies.append(took)
            else:
                errors += 1

    started = time.monotonic()
    await asyncio.gather(*(client(send) for send in clients))
    return latencies, errors, time.monotonic() - started


async def _one(http: httpx.AsyncClient, answers: dict) -> tuple[bool, float]:
    started = time.perf_counter()
    try:
        reply = await http.post("/v1/recommendations", json={"answers": answers, "k": 5})
        ok = reply.status_code == 200 and reply.json().get("session_id") is not None
    except httpx.HTTPError:
        ok = False
    return ok, time.perf_counter() - started


class LeanClient:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1 on raw asyncio streams."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST `body` to `path` on a kept-alive connection; (status, response body)."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(LOOPBACK, self.port)
        reader, writer = self.streams
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        writer.write(head.encode() + body)
        status = int((await reader.readline()).split()[1])
        length = None
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:  # not what this server sends: start a fresh connection next time
            self.close()
            return status, b""
        return status, await reader.readexactly(length)

    def close(self) -> None:
        """Close the connection."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def _lean_load(base: str, answers: list[dict]) -> tuple[list[float], int, float]:
    port = int(base.rsplit(":", 1)[1])
    bodies = [json.dumps({"answers": a, "k": 5}).encode() for a in answers]
    clients = [LeanClient(port) for _ in range(CLIENTS)]
    await asyncio.gather(*(_lean_one(c, bodies[n]) for n, c in enumerate(clients)))  # warm-up
    try:
        return await _drive([partial(_lean_send, c, bodies) for c in clients])
    finally:
        for one in clients:
            one.close()


def _lean_send(http: LeanClient, bodies: list[bytes], n: int) -> Awaitable[tuple[bool, float]]:
    return _lean_one(http, bodies[n % len(bodies)])


async def _lean_one(http: LeanClient, body: bytes) -> tuple[bool, float]:
    started = time.perf_counter()
    try:
        status, reply = await asyncio.wait_for(http.post("/v1/recommendations", body), 30)
        ok = status == 200 and json.loads(reply).get("session_id") is not None
    except (OSError, ValueError, IndexError, asyncio.IncompleteReadError, TimeoutError):
        http.close()
        ok = False
    return ok, time.perf_counter() - started
