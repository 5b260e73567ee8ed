"""`feedback import`: CSV files into the store, all or nothing, and idempotent.

Three steps on one connection. (1) Every row is checked and staged into TEMP tables: this takes
no lock on the shared tables, so the app keeps writing meanwhile. (2) Events whose session is in
neither file nor store are refused by row. (3) One short transaction merges the staged rows,
skipping rows whose natural key is already stored: `session_id` for sessions,
(session_id, ts, sku, position, event) for events. A stored session that a row contradicts is a
bad row, not a skip. A failure or a kill before the commit
leaves the store exactly as it was; importing the same files again adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, Table, text

from recommender.feedback import columns as col
from recommender.feedback import schema
from recommender.feedback.csvio import Problems, read_rows
from recommender.feedback.engine import SQLITE_BEGIN_OPTION, with_retry
from recommender.feedback.records import (
    Event,
    SessionRecord,
    answers_json,
    event_from_row,
    session_from_row,
)
from recommender.feedback.store import FeedbackStore

ROW_NUMBER = "row_number"
STAGE_CHUNK = 20_000
STAGE_SESSIONS = "stage_import_sessions"
STAGE_EVENTS = "stage_import_events"

_stage = MetaData()
stage_sessions = Table(
    STAGE_SESSIONS, _stage, *schema.session_columns(), Column(ROW_NUMBER, Integer()),
    prefixes=["TEMPORARY"],
)  # fmt: skip
stage_events = Table(
    STAGE_EVENTS,
    _stage,
    *(Column(c.name, c.type) for c in schema.events.columns if c.name != col.EVENT_ID),
    Column(ROW_NUMBER, Integer()),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True, slots=True)
class ImportReport:
    sessions_read: int
    sessions_added: int
    events_read: int
    events_added: int

    def summary(self) -> str:
        return (
            f"imported {self.sessions_added} of {self.sessions_read} sessions and "
            f"{self.events_added} of {self.events_read} events (the rest were already stored)"
        )


def import_feedback(store: FeedbackStore, sessions_path: Path, events_path: Path) -> ImportReport:
    """Import both files or nothing; raise `FeedbackImportError` naming every bad row."""
    problems = Problems()
    session_rows = _read_sessions(sessions_path, problems)
    with store.engine.connect() as conn:
        conn.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
        try:
            events_read = with_retry(
                lambda: _stage_all(conn, session_rows, events_path, problems),
                "stage the import",
                retries=1,  # staging reads the files once; a retry would double its problems
            )
            problems.raise_if_any()
            _check_sessions_agree(conn, sessions_path, problems)
            _check_sessions_known(conn, events_path, problems)
            problems.raise_if_any()
            conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            added = with_retry(lambda: _merge(conn), "import the feedback")
        finally:
            _drop_stage(conn)
    return ImportReport(len(session_rows), added[0], events_read, added[1])


def _read_sessions(path: Path, problems: Problems) -> dict[str, tuple[int, SessionRecord]]:
    by_id: dict[str, tuple[int, SessionRecord]] = {}
    for number, record in read_rows(path, col.SESSION_COLUMNS, session_from_row, problems):
        earlier = by_id.get(record.session_id)
        if earlier is None:
            by_id[record.session_id] = (number, record)
        elif earlier[1] != record:
            problems.add(
                f"{path.name} row {number}, column '{col.SESSION_ID}': "
                f"'{record.session_id}' is also on row {earlier[0]} with other values"
            )
    return by_id


def _stage_all(
    conn: Connection,
    session_rows: dict[str, tuple[int, SessionRecord]],
    events_path: Path,
    problems: Problems,
) -> int:
    with conn.begin():
        _stage.drop_all(conn, checkfirst=True)
        _stage.create_all(conn)
        _copy(conn, stage_sessions, (_session_values(n, r) for n, r in session_rows.values()))
        rows = read_rows(events_path, col.EVENT_COLUMNS, event_from_row, problems)
        counter = _Counter(rows)
        # After the first problem nothing more is staged, but every row is still checked.
        _copy(conn, stage_events, (_event_values(n, e) for n, e in counter if not problems.total))
        return counter.count


class _Counter:
    def __init__(self, rows: Iterable[tuple[int, Event]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[tuple[int, Event]]:
        for row in self.rows:
            self.count += 1
            yield row


def _session_values(number: int, r: SessionRecord) -> tuple[Any, ...]:
    answers = answers_json(r.answers)
    return (r.session_id, r.created_at, answers, r.triage_level, r.model_version, r.policy, number)


def _event_values(number: int, e: Event) -> tuple[Any, ...]:
    return (e.session_id, e.ts, e.sku, e.position, e.event, e.propensity, number)


def _copy(conn: Connection, table: Table, rows: Iterable[tuple[Any, ...]]) -> None:
    names = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, table.name, names, rows)
        return
    statement = table.insert()
    iterator = iter(rows)
    while chunk := list(islice(iterator, STAGE_CHUNK)):
        conn.execute(statement, [dict(zip(names, row, strict=True)) for row in chunk])


def _copy_postgres(conn: Connection, table: str, names: list[str], rows: Iterable[Any]) -> None:
    # COPY is PostgreSQL's bulk path: one stream instead of a statement per chunk.
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _check_sessions_agree(conn: Connection, sessions_path: Path, problems: Problems) -> None:
    # Skipping a stored session is right only when the row says the same; a row that says
    # otherwise is a conflict the analyst must see, not something to drop quietly.
    differs = " OR ".join(
        f"s.{name} <> t.{name}" for name in col.SESSION_COLUMNS if name != col.SESSION_ID
    )
    query = text(
        f"SELECT t.{ROW_NUMBER}, t.{col.SESSION_ID} FROM {STAGE_SESSIONS} t "
        f"JOIN {col.SESSIONS} s ON s.{col.SESSION_ID} = t.{col.SESSION_ID} "
        f"WHERE {differs} ORDER BY t.{ROW_NUMBER}"
    )
    _name_rows(conn, query, sessions_path, "is already stored with other values", problems)


def _check_sessions_known(conn: Connection, events_path: Path, problems: Problems) -> None:
    query = text(
        f"SELECT e.{ROW_NUMBER}, e.{col.SESSION_ID} FROM {STAGE_EVENTS} e "
        f"WHERE NOT EXISTS (SELECT 1 FROM {STAGE_SESSIONS} s "
        f"WHERE s.{col.SESSION_ID} = e.{col.SESSION_ID}) "
        f"AND NOT EXISTS (SELECT 1 FROM {col.SESSIONS} s "
        f"WHERE s.{col.SESSION_ID} = e.{col.SESSION_ID}) ORDER BY e.{ROW_NUMBER}"
    )
    _name_rows(conn, query, events_path, "is in neither the sessions file nor the store", problems)


def _name_rows(conn: Connection, query: Any, path: Path, problem: str, problems: Problems) -> None:
    """Add a problem for each (row number, session id) the query finds."""
    with conn.begin():
        for number, session_id in conn.execute(query):
            problems.add(
                f"{path.name} row {number}, column '{col.SESSION_ID}': '{session_id}' {problem}"
            )


def _merge(conn: Connection) -> tuple[int, int]:
    with conn.begin():
        sessions_added = conn.execute(_merge_sql(col.SESSIONS, STAGE_SESSIONS, col.SESSION_COLUMNS))
        events_added = conn.execute(_merge_sql(col.EVENTS, STAGE_EVENTS, col.EVENT_COLUMNS))
        return max(sessions_added.rowcount, 0), max(events_added.rowcount, 0)


def _merge_sql(target: str, stage: str, names: tuple[str, ...]) -> Any:
    listed = ", ".join(names)
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT.
    return text(
        f"INSERT INTO {target} ({listed}) SELECT {listed} FROM {stage} "
        f"WHERE true ORDER BY {ROW_NUMBER} ON CONFLICT DO NOTHING"
    )


def _drop_stage(conn: Connection) -> None:
    # TEMP tables live as long as the pooled connection; drop them so none leak to the next user.
    if conn.in_transaction():
        conn.rollback()
    with conn.begin():
        _stage.drop_all(conn, checkfirst=True)
