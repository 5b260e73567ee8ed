"""The second half of an import: staged rows into the shared tables in short transactions,
made visible all at once by one quick step.

Each batch commits on its own (a few milliseconds of write lock on SQLite), so a shopper's write
waits for one batch at most, never for the whole import. Every row a batch adds carries the
import's id, and reads hide rows whose import is not yet published (`FeedbackStore.visible`):
until `publish` flips one row of the imports table, the import is invisible, and a crash at any
point leaves rows that nobody sees. The next import, holding the import lock, deletes them.

Only one import runs at a time per store (an OS file lock for SQLite, an advisory lock on
PostgreSQL; both vanish with a killed process), so the rows of a running import are never
mistaken for a dead one's.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.engine import make_url

from recommender.errors import InputError
from recommender.faults import checkpoint
from recommender.feedback import columns as col
from recommender.feedback.engine import SQLITE_BEGIN_OPTION, with_retry
from recommender.feedback.records import utc_now
from recommender.feedback.schema import events, imports, sessions
from recommender.feedback.staging import ROW_NUMBER, stage_events, stage_sessions

# Rows per short transaction. SQLite has one writer at a time: a batch this size holds the
# write lock for a few milliseconds, and the pause after it lets waiting shoppers in first.
SQLITE_BATCH = 2_000
SQLITE_BATCH_MIN = 100
SQLITE_HOLD_TARGET_S = 0.02
POSTGRES_BATCH = 20_000
# Pause after each SQLite batch, as a share of the time the batch held the lock.
SQLITE_YIELD_SHARE = 1.0
_PG_IMPORT_LOCK = 7_346_222
BUSY = (
    "RECOMMENDER_DB: another feedback import into this store is still running; "
    "run this one when it has finished"
)


@dataclass(frozen=True, slots=True)
class Merged:
    """How many staged rows an import added to the shared tables."""

    sessions_added: int
    events_added: int


@contextmanager
def import_lock(engine: Engine) -> Iterator[None]:
    """Hold the store's import lock for the block; refuse at once if another import holds it."""
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine):
            yield
        return
    database = make_url(str(engine.url)).database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with _file_lock(Path(database).with_name(Path(database).name + ".import-lock")):
        yield


@contextmanager
def _postgres_lock(engine: Engine) -> Iterator[None]:
    # Advisory locks are per database; keyed by schema so stores in other schemas never clash.
    with engine.connect() as conn:
        key = text("SELECT pg_try_advisory_lock(:k, hashtext(current_schema()))")
        if not conn.execute(key, {"k": _PG_IMPORT_LOCK}).scalar():
            conn.rollback()
            raise InputError(BUSY)
        conn.commit()
        try:
            yield
        finally:
            unlock = text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))")
            conn.execute(unlock, {"k": _PG_IMPORT_LOCK})
            conn.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # filelock: an OS lock on POSIX and Windows alike; it goes with the process if it is killed.
    # It would create missing folders, so a store whose folder is not there (or a read-only
    # `file:` URL) takes no lock, as before: the import's first write will say what is wrong.
    lock = FileLock(path, timeout=0)
    try:
        if not path.parent.is_dir():
            raise FileNotFoundError(path.parent)
        lock.acquire()
    except Timeout:
        raise InputError(BUSY) from None
    except OSError:
        # No right to create files beside the store: the import's first write will say so.
        yield
        return
    try:
        yield
    finally:
        lock.release()


def clean_up_unpublished(conn: Connection) -> None:
    """Delete the rows of imports that died before publishing (call under the import lock)."""
    with conn.begin():
        dead = list(
            conn.scalars(
                select(imports.c[col.IMPORT_ID]).where(imports.c[col.PUBLISHED_AT].is_(None))
            )
        )
    for import_id in dead:
        discard(conn, import_id)


def discard(conn: Connection, import_id: str) -> None:
    """Delete one unpublished import's rows, in short batches, then its record."""
    batch = _batch_size(conn)
    for table, key in ((events, col.EVENT_ID), (sessions, col.SESSION_ID)):
        mine = select(table.c[key]).where(table.c[col.IMPORT_ID] == import_id).limit(batch)
        while _run_short(conn, delete(table).where(table.c[key].in_(mine))):
            pass
    _run_short(conn, delete(imports).where(imports.c[col.IMPORT_ID] == import_id))


def begin_import(conn: Connection) -> str:
    """Record a new, unpublished import and return its id."""
    import_id = uuid.uuid4().hex
    _run_short(conn, insert(imports).values({col.IMPORT_ID: import_id, col.STARTED_AT: utc_now()}))
    return import_id


def merge(conn: Connection, import_id: str) -> Merged:
    """Copy the staged rows into the shared tables, batch by batch, skipping stored ones."""
    added_sessions = _merge_table(
        conn, import_id, stage_sessions, sessions, col.SESSION_FILE_COLUMNS
    )
    checkpoint("feedback-import:sessions-merged")
    added_events = _merge_table(conn, import_id, stage_events, events, col.EVENT_COLUMNS)
    return Merged(added_sessions, added_events)


def publish(conn: Connection, import_id: str) -> None:
    """Make every row of the import visible at once: one row of one small table changes."""
    checkpoint("feedback-import:before-publish")
    published = {col.PUBLISHED_AT: utc_now()}
    _run_short(conn, update(imports).where(imports.c[col.IMPORT_ID] == import_id).values(published))
    checkpoint("feedback-import:published")


def _merge_table(
    conn: Connection, import_id: str, stage: Any, target: Any, names: tuple[str, ...]
) -> int:
    with conn.begin():
        last = conn.scalar(select(func.max(stage.c[ROW_NUMBER]))) or 0
    batch = _batch_size(conn)
    sqlite = conn.dialect.name == "sqlite"
    listed = ", ".join(names)
    # Text, not an INSERT construct: SQLAlchemy reports no rowcount for INSERT ... SELECT on
    # psycopg. "WHERE" before ON CONFLICT also keeps SQLite from reading it as a join's ON.
    statement = text(
        f"INSERT INTO {target.name} ({listed}, {col.IMPORT_ID}) "
        f"SELECT {listed}, :import_id FROM {stage.name} "
        f"WHERE {ROW_NUMBER} >= :start AND {ROW_NUMBER} < :stop ORDER BY {ROW_NUMBER} "
        "ON CONFLICT DO NOTHING"
    )
    added, start = 0, 0
    while start <= last:
        values = {"import_id": import_id, "start": start, "stop": start + batch}
        began = time.perf_counter()
        added += max(_run_short(conn, statement, values), 0)
        held = time.perf_counter() - began
        if start == 0:
            checkpoint(f"feedback-import:first-{target.name}-batch")
        start += batch
        if sqlite:
            time.sleep(held * SQLITE_YIELD_SHARE)
            batch = _next_sqlite_batch(batch, held)
    return added


def _next_sqlite_batch(batch: int, held: float) -> int:
    # A busy machine makes every batch slower; shrink it so the write lock is still held
    # only briefly, and grow it back when batches are quick again.
    if held > SQLITE_HOLD_TARGET_S * 2:
        return max(SQLITE_BATCH_MIN, batch // 2)
    if held < SQLITE_HOLD_TARGET_S / 2:
        return min(SQLITE_BATCH, batch * 2)
    return batch


def _batch_size(conn: Connection) -> int:
    return SQLITE_BATCH if conn.dialect.name == "sqlite" else POSTGRES_BATCH


def _run_short(conn: Connection, statement: Any, values: dict[str, Any] | None = None) -> int:
    """Run one statement in its own short write transaction; return the rows it touched."""

    def transaction() -> int:
        with conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"}).begin():
            return conn.execute(statement, values).rowcount

    return with_retry(transaction, "import the feedback")
