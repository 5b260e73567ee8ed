"""Feedback-store throughput: app writes (one and eight writers) and a 1,000,000-event import.

Two kinds of write: batches of 100 events (raw store throughput), and whole shopper pages as the
app writes them (one session and its 5 impressions in one transaction, 8 writers at once).
The import runs as `recommender feedback import` in its own process, as in use, while this
process saves a shopper's page every 10 ms: the p99 and worst time of those saves is how long a
shopper waits behind an import. Peak memory of hostile imports (a 50 MB line, /dev/zero) is
measured in child processes with `resource`.

Runs on SQLite in a temp folder, and on PostgreSQL too when RECOMMENDER_TEST_PG_URL is set
(in a throwaway schema). `run()` returns rows of name, value, unit, target.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from recommender.feedback import (
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    Event,
    FeedbackStore,
)
from recommender.feedback.policy import ranked
from recommender.feedback.scratch import scratch_schema
from recommender.shopper.answers import parse_answers
from recommender.shopper.result import Item, Result, ScoreParts, Triage

WRITES_PER_WRITER = 20_000
BATCH = 100  # events per write: a generous page of impressions and outcomes
WRITERS = 8
IMPORT_SESSIONS = 10_000
IMPORT_EVENTS_PER_SESSION = 100  # 1,000,000 events
PAGES_PER_WRITER = 500
SHOWN = 5
T0 = datetime(2025, 1, 1, tzinfo=UTC)
ANSWERS = parse_answers({"pain_areas": ["knee", "lower_back"], "age_band": "50_64"})


def run() -> list[dict[str, Any]]:
    """Rows: feedback write rates and import times, per store."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        rows += _hostile_memory(Path(folder))
        files = _import_files(Path(folder))
        backends: list[tuple[str, Callable[[], Any]]] = [("sqlite", lambda: _sqlite(Path(folder)))]
        if os.environ.get("RECOMMENDER_TEST_PG_URL"):
            backends.append(("postgresql", _postgres))
        for name, make in backends:
            rows += _bench_backend(name, make, files)
    return rows


# Imports one pair of files in this process and prints its peak memory (MB) and the outcome.
PEAK_MEMORY = """
import resource, sys, time
from pathlib import Path
from recommender.feedback import FeedbackStore, import_feedback
from recommender.errors import InputError
url, sessions, events = sys.argv[1:]
started = time.perf_counter()
with FeedbackStore.open(url) as store:
    try:
        import_feedback(store, Path(sessions), Path(events))
        outcome = "imported"
    except InputError:
        outcome = "refused"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{peak:.1f} {time.perf_counter() - started:.3f} {outcome}")
"""


def _hostile_memory(folder: Path) -> list[dict[str, Any]]:
    """Peak memory of a small good import, and of the reviewer's hostile inputs at 50 MB."""
    sessions, events = folder / "small-sessions.csv", folder / "small-events.csv"
    sessions.write_text(
        ",".join(SESSION_COLUMNS)
        + "\n"
        + 's0,2025-01-01T00:00:00Z,"{""pain_areas"":[""knee""]}",none,rules-only,ranked\n'
    )
    events.write_text(",".join(EVENT_COLUMNS) + "\ns0,2025-01-01T00:00:00Z,KN-1,1,click,\n")
    huge = folder / "huge-line-events.csv"
    with huge.open("w") as handle:
        handle.write(",".join(EVENT_COLUMNS) + "\n")
        for _ in range(50):
            handle.write("a" * (1 << 20))
    cases = [("a 2-row import", events, "imported"), ("a 50 MB line", huge, "refused")]
    if Path("/dev/zero").exists():
        cases.append(("/dev/zero", Path("/dev/zero"), "refused"))
    rows = []
    for what, events_file, expected in cases:
        url = f"sqlite:///{folder / f'memory-{uuid.uuid4().hex[:8]}.db'}"
        child = subprocess.run(
            [sys.executable, "-c", PEAK_MEMORY, url, str(sessions), str(events_file)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        peak, seconds, outcome = child.stdout.split()
        assert outcome == expected, f"{what}: {outcome}"
        rows.append(_row(f"feedback import peak memory, {what}", float(peak), "MB", "bounded"))
        if expected == "refused":
            rows.append(_row(f"feedback import refuses {what} in", float(seconds), "s", "< 1"))
    return rows


def _bench_backend(
    name: str, make: Callable[[], Any], files: tuple[Path, Path]
) -> list[dict[str, Any]]:
    rows = []
    for writers in (1, WRITERS):
        with make() as url, FeedbackStore.open(url) as store:
            rate = _write_rate(store, writers)
        rows.append(_row(f"feedback {name} write, {writers} writer(s)", rate, "events/s", None))
    with make() as url, FeedbackStore.open(url) as store:
        pages = _page_rate(store, WRITERS)
    rows.append(_row(f"feedback {name} shopper pages, {WRITERS} writers", pages, "pages/s", None))
    with make() as url, FeedbackStore.open(url) as store:
        seconds, waits = _import_while_shopping(store, url, files)
        imported = IMPORT_SESSIONS * IMPORT_EVENTS_PER_SESSION
        assert store.counts()["events"] == imported + SHOWN * len(waits)
    rows.append(_row(f"feedback {name} import 1,000,000 events", seconds, "s", "< 60"))
    p99 = waits[int(len(waits) * 0.99)] * 1000
    rows.append(_row(f"feedback {name} shopper save during import, p99", p99, "ms", "< 200"))
    rows.append(
        _row(f"feedback {name} shopper save during import, max", waits[-1] * 1000, "ms", None)
    )
    return rows


def _import_while_shopping(
    store: FeedbackStore, url: str, files: tuple[Path, Path]
) -> tuple[float, list[float]]:
    """Run the import in its own process; save a shopper's page every 10 ms meanwhile."""
    shown = _shown()
    command = [sys.executable, "-m", "recommender_cli.main", "feedback", "import"]
    command += ["--sessions", str(files[0]), "--events", str(files[1])]
    env = {**os.environ, "RECOMMENDER_DB": url}
    waits: list[float] = []
    started = time.perf_counter()
    importer = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    while importer.poll() is None:
        began = time.perf_counter()
        store.record_shown(ANSWERS, shown)
        waits.append(time.perf_counter() - began)
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    assert importer.returncode == 0, "the benchmark import failed"
    return seconds, sorted(waits)


def _row(name: str, value: float, unit: str, target: str | None) -> dict[str, Any]:
    return {"name": name, "value": round(value, 1), "unit": unit, "target": target or "-"}


def _write_rate(store: FeedbackStore, writers: int) -> float:
    def write(writer: int) -> None:
        session = store.start_session(
            ANSWERS, triage_level="none", model_version="bench", policy="ranked"
        )
        for start in range(0, WRITES_PER_WRITER, BATCH):
            store.log_events(
                Event(session, T0 + timedelta(microseconds=n), f"SKU-{n}", 1, "impression", 1.0)
                for n in range(start, start + BATCH)
            )

    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    return writers * WRITES_PER_WRITER / (time.perf_counter() - started)


def _shown() -> Any:
    items = tuple(
        Item(n, f"SKU-{n}", "bench", "knee_sleeve", 30.0, 0.5, (), (), ScoreParts(0.5, 0, 0))
        for n in range(1, SHOWN + 1)
    )
    return ranked(Result(Triage("none", (), ""), items, (), (), ()))


def _page_rate(store: FeedbackStore, writers: int) -> float:
    shown = _shown()

    def write(_writer: int) -> None:
        for _ in range(PAGES_PER_WRITER):
            store.record_shown(ANSWERS, shown)

    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    return writers * PAGES_PER_WRITER / (time.perf_counter() - started)


def _import_files(folder: Path) -> tuple[Path, Path]:
    sessions, events = folder / "sessions.csv", folder / "events.csv"
    answers = '{"schema_version":1,"pain_areas":["knee"]}'
    with sessions.open("w", newline="") as s_file, events.open("w", newline="") as e_file:
        s_out, e_out = csv.writer(s_file), csv.writer(e_file)
        s_out.writerow(SESSION_COLUMNS)
        e_out.writerow(EVENT_COLUMNS)
        for n in range(IMPORT_SESSIONS):
            when = (T0 + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            s_out.writerow([f"s{n}", when, answers, "none", "rules-only", "explore"])
            e_out.writerows(
                [f"s{n}", when, f"SKU-{p}", p, "impression", 0.01]
                for p in range(1, IMPORT_EVENTS_PER_SESSION + 1)
            )
    return sessions, events


@contextmanager
def _sqlite(folder: Path) -> Iterator[str]:
    path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
    yield f"sqlite:///{path}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _postgres() -> AbstractContextManager[str]:
    return scratch_schema(os.environ["RECOMMENDER_TEST_PG_URL"], "bench")


if __name__ == "__main__":
    for result in run():
        print(f"{result['name']:<48} {result['value']:>12} {result['unit']:<9} {result['target']}")
