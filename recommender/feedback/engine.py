"""Connections to the feedback store: SQLite tuned for several writers, or any SQLAlchemy URL.

SQLite runs in WAL mode (readers never block the writer) with a busy timeout, and every
transaction starts with BEGIN IMMEDIATE: it takes the write lock up front, so two writers queue
on the timeout instead of one failing at once with "database is locked" when both try to turn a
read lock into a write lock. A write that still meets a lock is retried with a short backoff.

The store's own writes also take turns through an operating-system lock beside the file
(`write_turn`). SQLite's busy timeout waits by sleeping 1, 2, 5 ... 100 ms between tries, so
with several processes writing (the API's workers) the lock sat idle while the next writer
slept, and two busy workers used one core between them; a file lock hands over as soon as it is
released.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)

from recommender.errors import ExitCode, InputError, StoreError
from recommender.files import locked

SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 10
LOCK_RETRIES = 8
# Execution option: "DEFERRED" for work that only reads or fills TEMP tables, so it does not
# hold the shared write lock (an import stages its rows this way).
SQLITE_BEGIN_OPTION = "sqlite_begin"
T = TypeVar("T")


class StoreUnavailable(StoreError):
    """The store that RECOMMENDER_DB names cannot be opened at all: a setting to fix (exit 2)."""

    exit_code = ExitCode.BAD_INPUT


def create_store_engine(url: str, statement_timeout_s: float | None = None) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created if missing.

    `statement_timeout_s` (the HTTP API's) bounds how long one statement may run or wait for a
    lock: PostgreSQL's statement_timeout and lock_timeout, SQLite's busy timeout. A store that
    hangs then fails the write instead of holding a worker's writer for good.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"RECOMMENDER_DB: '{url}' is not a database URL") from None
    shown = parsed.render_as_string(hide_password=True)
    try:
        if parsed.get_backend_name() != "sqlite":
            # A server that cannot be reached must fail soon, not stall the shopper's page.
            postgres = parsed.get_backend_name() == "postgresql"
            wait: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT_S} if postgres else {}
            wait = {} if "connect_timeout" in parsed.query else wait
            if postgres and statement_timeout_s is not None:
                limit = max(1, round(statement_timeout_s * 1000))
                # Added to the URL's own libpq options (a search_path, say), not in their place.
                given = parsed.query.get("options", "")
                given = given if isinstance(given, str) else " ".join(given)
                parsed = parsed.difference_update_query(["options"])
                wait["options"] = f"{given} -c statement_timeout={limit} -c lock_timeout={limit}"
            return create_engine(parsed, pool_pre_ping=True, connect_args=wait)
        busy_ms = (
            SQLITE_BUSY_TIMEOUT_MS if statement_timeout_s is None else statement_timeout_s * 1000
        )
        engine = create_engine(parsed, connect_args={"timeout": busy_ms / 1000})
    except NoSuchModuleError:
        raise InputError(
            f"RECOMMENDER_DB: '{shown}' names an unknown kind of database "
            f"'{parsed.drivername}' (use sqlite:///PATH or postgresql+psycopg://...)"
        ) from None
    except ImportError as error:
        raise InputError(
            f"RECOMMENDER_DB: '{shown}' needs the database driver '{error.name}', "
            "which is not installed"
        ) from None
    if _is_plain_file(parsed.database):
        folder = Path(str(parsed.database)).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"RECOMMENDER_DB: cannot create the store's folder {folder}: {error.strerror}"
            ) from None
    _tune_sqlite(engine, busy_ms=round(busy_ms))
    return engine


def open_read_only(url: str) -> Engine | None:
    """An engine that never writes, for an existing SQLite file; None for anything else (a
    server enforces its own permissions, and a missing file is created by a normal open)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not _is_plain_file(parsed.database):
        return None
    path = Path(parsed.database or "").resolve()
    if not path.is_file():
        return None
    for mode in ("mode=ro", "immutable=1"):
        # mode=ro still needs the WAL side files (or a folder to create them in); a store on a
        # read-only disk whose last writer closed cleanly has neither, and is then immutable.
        engine = create_engine(
            f"sqlite:///file:{path}?{mode}&uri=true",
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _tune_sqlite(engine, read_only=True)
        try:
            with engine.connect():
                return engine
        except DBAPIError:  # not openable this way; a normal open names the problem
            engine.dispose()
    return None


def write_turn(engine: Engine) -> AbstractContextManager[object]:
    """Hold this for a write transaction: writers to one SQLite file take turns, in any process.

    A no-op for a database server (it queues writers itself) and for an in-memory SQLite store.
    """
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not _is_plain_file(database):
        return nullcontext()
    return locked(Path(f"{database}.write-turn"))


def _is_plain_file(database: str | None) -> bool:
    return bool(database) and database != ":memory:" and not str(database).startswith("file:")


def check_reachable(engine: Engine) -> None:
    """Connect once, so a wrong URL, a server that is down or a file that is no database is
    reported as such (naming the setting) rather than as a failed read or write."""

    def connect() -> None:
        with engine.connect():
            pass

    try:
        with_retry(connect, "connect")
    except StoreError as error:
        shown = engine.url.render_as_string(hide_password=True)
        cause = error.__cause__
        reason = _reason(cause) if isinstance(cause, SQLAlchemyError) else str(error)
        raise StoreUnavailable(
            f"RECOMMENDER_DB: could not open the feedback store at {shown}: {reason}"
        ) from cause


def _tune_sqlite(
    engine: Engine, read_only: bool = False, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (see `_on_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        if not read_only:  # switching the journal is a write
            cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL is crash-safe in WAL mode: a killed process never corrupts or half-writes.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    default = "DEFERRED" if read_only else "IMMEDIATE"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, default)
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_lock_error(error: BaseException) -> bool:
    """Whether a database error means the database was busy (worth another try)."""
    text = str(getattr(error, "orig", error)).lower()
    return "database is locked" in text or "database is busy" in text or "deadlock" in text


def with_retry(operation: Callable[[], T], what: str, retries: int = LOCK_RETRIES) -> T:
    """Run one whole transaction, retrying it when the database was only busy."""
    for attempt in range(retries):
        try:
            return operation()
        except OperationalError as error:
            setting = _setting_problem(error, what)
            if setting is not None:
                raise setting from error
            if not is_lock_error(error) or attempt == retries - 1:
                raise StoreError(f"could not {what}: {_reason(error)}") from error
            time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
        except SQLAlchemyError as error:
            raise _setting_problem(error, what) or StoreError(
                f"could not {what}: {_reason(error)}"
            ) from error
    raise AssertionError("unreachable")


def _setting_problem(error: SQLAlchemyError, what: str) -> StoreError | None:
    """A store that cannot be written at all is the setting's problem: name it."""
    text = str(getattr(error, "orig", error)).lower()
    if "readonly database" in text or "read-only" in text:
        return StoreUnavailable(
            f"could not {what}: the feedback store that RECOMMENDER_DB names is read-only "
            "(point RECOMMENDER_DB at a store this user may write, or fix its permissions); "
            "nothing was changed"
        )
    if "disk is full" in text or "no space left" in text:
        return StoreError(
            f"could not {what}: the disk of the feedback store that RECOMMENDER_DB names is "
            "full; nothing was changed"
        )
    return None


def _reason(error: SQLAlchemyError) -> str:
    cause = error.orig if isinstance(error, DBAPIError) and error.orig else error
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]
