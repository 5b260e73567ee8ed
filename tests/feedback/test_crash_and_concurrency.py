"""Real processes against one store: a writer killed mid-import, and many writers at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from functools import partial
from pathlib import Path

from feedback_csv import feedback_files

from recommender.feedback import FeedbackStore, export_feedback, import_feedback, read_sessions
from recommender.feedback.engine import write_turn
from recommender.shopper.answers import parse_answers

REPO = Path(__file__).resolve().parents[2]

# Imports, but stops for good right after the events INSERT ran inside the merge transaction.
PAUSED_IMPORT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sqlalchemy import event
    from recommender.feedback import FeedbackStore, import_feedback

    url, sessions, events, marker = sys.argv[1:]
    store = FeedbackStore.open(url)

    @event.listens_for(store.engine, "after_cursor_execute")
    def pause(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO events"):
            Path(marker).touch()
            time.sleep(120)

    import_feedback(store, Path(sessions), Path(events))
    """
)

WRITER = textwrap.dedent(
    """
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta
    from recommender.shopper.answers import parse_answers
    from recommender.feedback import Event, FeedbackStore

    url, tag = sys.argv[1:]
    THREADS, EVENTS, BATCH = 8, 2_000, 250  # 8 batches a thread: 128 writes at once, all told
    T0 = datetime(2025, 3, 1, tzinfo=UTC)
    store = FeedbackStore.open(url)

    def write(thread):
        session = store.start_session(
            parse_answers({"pain_areas": ["knee"]}), triage_level="none",
            model_version="rules-only", policy="ranked", session_id=f"{tag}-{thread}",
        )
        for start in range(0, EVENTS, BATCH):
            store.log_events([
                Event(session, T0 + timedelta(microseconds=n), f"SKU-{n}", 1 + n % 10,
                      "impression", 1.0)
                for n in range(start, start + BATCH)
            ])

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))  # re-raises the first failure, if any
    """
)


def python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_writer_killed_mid_import_leaves_the_store_as_it_was(
    store: FeedbackStore, store_url: str, tmp_path: Path
) -> None:
    import_feedback(store, *feedback_files(tmp_path / "", sessions=2))
    export_feedback(store, tmp_path / "before")
    bigger = tmp_path / "bigger"
    bigger.mkdir()
    sessions, events = feedback_files(bigger, sessions=50, events_per_session=100)
    marker = tmp_path / "inside-transaction"

    writer = python(PAUSED_IMPORT, store_url, str(sessions), str(events), str(marker))
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert writer.poll() is None, writer.communicate()[1]
        assert time.monotonic() < deadline, "the import never reached its transaction"
        time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()

    export_feedback(store, tmp_path / "after")
    for name in ("sessions.csv", "events.csv"):
        assert (tmp_path / "before" / name).read_text() == (tmp_path / "after" / name).read_text()
    # The store is not left locked or damaged: the same import now goes through.
    report = import_feedback(store, sessions, events)
    assert (report.sessions_added, report.events_added) == (48, 5_000 - 8)  # 8 were already stored


def test_two_processes_of_eight_threads_lose_no_event(store_url: str) -> None:
    writers = [python(WRITER, store_url, tag) for tag in ("a", "b")]
    outcomes = [writer.communicate(timeout=240) for writer in writers]
    for writer, (_, err) in zip(writers, outcomes, strict=True):
        assert writer.returncode == 0, err
        assert "locked" not in err
    with FeedbackStore.open(store_url) as store:
        assert store.counts() == {"sessions": 16, "events": 2 * 8 * 2_000}


def test_a_writer_in_another_process_waits_its_turn_at_a_sqlite_file(tmp_path: Path) -> None:
    store = FeedbackStore.open(f"sqlite:///{tmp_path / 'feedback.db'}")
    start = partial(
        store.start_session, parse_answers({}), triage_level="none", model_version="rules-only",
        policy="ranked", session_id="shop-1",
    )  # fmt: skip
    with write_turn(store.engine):  # as another process's writer would hold it
        waiting = threading.Thread(target=start)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive()  # not stored, not failed: queued behind the turn
    waiting.join(timeout=30)

    assert not waiting.is_alive()
    assert list(read_sessions(store)["session_id"]) == ["shop-1"]
    store.close()
