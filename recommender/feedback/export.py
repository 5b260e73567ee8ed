"""`feedback export`: the store out to sessions.csv and events.csv, in the columns of SPEC 5."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from recommender.errors import InputError
from recommender.feedback import columns as col
from recommender.feedback.csvio import write_csv
from recommender.feedback.engine import SQLITE_BEGIN_OPTION, with_retry
from recommender.feedback.records import event_cells, session_file_cells
from recommender.feedback.schema import events, sessions
from recommender.feedback.store import FeedbackStore

SESSIONS_FILE = "sessions.csv"
EVENTS_FILE = "events.csv"
FETCH_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote: how many sessions and events, and where."""

    sessions: int
    events: int
    folder: Path

    def summary(self) -> str:
        """One line for the command line."""
        return f"exported {self.sessions} sessions and {self.events} events to {self.folder}"


def export_feedback(store: FeedbackStore, out_dir: Path) -> ExportReport:
    """Write both files into `out_dir` (created if needed), each whole or not at all."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{out_dir}: is a file, not a folder to export into") from None
    except OSError as error:
        raise InputError(f"{out_dir}: cannot create the folder: {error.strerror}") from None

    def export() -> ExportReport:
        # Both files are written aside and moved in together, so a failure halfway never
        # leaves a new sessions.csv beside an old events.csv.
        aside = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
        try:
            counts = _write_both(store, aside)
            for name in (SESSIONS_FILE, EVENTS_FILE):
                os.replace(aside / name, out_dir / name)
        finally:
            shutil.rmtree(aside, ignore_errors=True)
        return ExportReport(*counts, out_dir)

    return with_retry(export, "export the feedback")


def _write_both(store: FeedbackStore, folder: Path) -> tuple[int, int]:
    # One read transaction, so both files show the same moment of the store.
    with store.engine.connect() as conn:
        stream = conn.execution_options(
            stream_results=True, yield_per=FETCH_CHUNK, **{SQLITE_BEGIN_OPTION: "DEFERRED"}
        )
        stream.begin()
        n_sessions = write_csv(
            folder / SESSIONS_FILE, col.SESSION_FILE_COLUMNS, _session_rows(store, stream)
        )
        n_events = write_csv(folder / EVENTS_FILE, col.EVENT_COLUMNS, _event_rows(store, stream))
    return n_sessions, n_events


def _session_rows(store: FeedbackStore, conn: Connection) -> Iterator[list[Any]]:
    query = (
        select(*(sessions.c[name] for name in col.SESSION_FILE_COLUMNS))
        .where(store.visible(sessions))
        .order_by(sessions.c[col.CREATED_AT], sessions.c[col.SESSION_ID])
    )
    for row in conn.execute(query):
        yield session_file_cells(dict(row._mapping))


def _event_rows(store: FeedbackStore, conn: Connection) -> Iterator[list[Any]]:
    query = (
        select(*(events.c[name] for name in col.EVENT_COLUMNS))
        .where(store.visible(events))
        .order_by(events.c[col.EVENT_ID])
    )
    for row in conn.execute(query):
        yield event_cells(dict(row._mapping))
