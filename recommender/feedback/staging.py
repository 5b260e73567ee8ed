"""The first half of an import: every row checked and staged, nothing shared touched yet.

Rows go into TEMP tables of the import's own connection, streamed in bounded chunks (COPY on
PostgreSQL), so neither memory nor the shared tables' locks grow with the file. The checks that
need every row at once (repeated ids, conflicts with stored rows, events of unknown sessions) are
then SQL over the staged rows, each naming the file row at fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    exists,
    func,
    or_,
    select,
    text,
)

from recommender.feedback import columns as col
from recommender.feedback import schema
from recommender.feedback.csvio import Problems, read_rows
from recommender.feedback.records import (
    Event,
    SessionRecord,
    event_fields,
    event_from_row,
    session_fields,
    session_from_row,
)

ROW_NUMBER = "row_number"
STAGE_CHUNK = 20_000

_stage = MetaData()
stage_sessions = Table(
    "stage_import_sessions",
    _stage,
    Column(ROW_NUMBER, Integer(), primary_key=True, autoincrement=False),
    *(
        Column(c.name, c.type, nullable=c.nullable)
        for c in schema.session_columns()
        if c.name != col.SESSION_ID
    ),
    Column(col.SESSION_ID, String(schema.ID_LENGTH), nullable=False),
    Column(col.CLIENT, String(schema.CLIENT_LENGTH), nullable=False),
    prefixes=["TEMPORARY"],
)
stage_events = Table(
    "stage_import_events",
    _stage,
    Column(ROW_NUMBER, Integer(), primary_key=True, autoincrement=False),
    *(
        Column(c.name, c.type, nullable=c.nullable)
        for c in schema.event_columns()
        if isinstance(c, Column) and c.name != col.EVENT_ID
    ),
    prefixes=["TEMPORARY"],
)
# Built once the rows are in: faster than keeping them up to date row by row.
_STAGE_INDEXES = (
    f"CREATE INDEX ix_stage_sessions_id ON {stage_sessions.name} ({col.SESSION_ID})",
    f"CREATE INDEX ix_stage_events_key ON {stage_events.name} ({', '.join(col.EVENT_KEY)})",
)
SESSION_NAMES = [c.name for c in stage_sessions.columns]
EVENT_NAMES = [c.name for c in stage_events.columns]


def stage(conn: Connection, sessions_path: Path, events_path: Path, problems: Problems) -> int:
    """Check and stage both files; return how many event rows were read."""
    with conn.begin():
        _stage.drop_all(conn, checkfirst=True)
        _stage.create_all(conn)
        sessions = read_rows(
            sessions_path,
            col.SESSION_COLUMNS,
            session_from_row,
            problems,
            optional=col.OPTIONAL_SESSION_COLUMNS,
        )
        # After the first problem nothing more is staged, but every row is still checked.
        _copy(
            conn, stage_sessions, (_session_values(n, r) for n, r in sessions if not problems.total)
        )
        events = _Counter(read_rows(events_path, col.EVENT_COLUMNS, event_from_row, problems))
        _copy(conn, stage_events, (_event_values(n, e) for n, e in events if not problems.total))
        for index in _STAGE_INDEXES:
            conn.execute(text(index))
        return events.count


def drop_stage(conn: Connection) -> None:
    """Drop the import's temporary tables from this connection."""
    # TEMP tables live as long as the pooled connection; drop them so none leak to the next user.
    if conn.in_transaction():
        conn.rollback()
    with conn.begin():
        _stage.drop_all(conn, checkfirst=True)


def staged_session_count(conn: Connection) -> int:
    """How many distinct sessions the import has staged."""
    with conn.begin():
        return int(
            conn.scalar(select(func.count(stage_sessions.c[col.SESSION_ID].distinct()))) or 0
        )


def check_staged(
    conn: Connection, sessions_path: Path, events_path: Path, problems: Problems
) -> None:
    """Add a problem for every staged row that contradicts another row or the store."""
    s, e = sessions_path.name, events_path.name
    with conn.begin():
        for number, session_id, first in conn.execute(_sessions_repeated_differently()):
            problems.add(
                f"{s} row {number}, column '{col.SESSION_ID}': '{session_id}' is also on row "
                f"{first} with other values"
            )
        # Skipping a stored session is right only when the row says the same; a row that says
        # otherwise is a conflict the analyst must see, not something to drop quietly.
        for number, session_id in conn.execute(_sessions_stored_differently()):
            problems.add(
                f"{s} row {number}, column '{col.SESSION_ID}': '{session_id}' is already "
                "stored with other values"
            )
        for number, first in conn.execute(_events_repeated_differently()):
            problems.add(
                f"{e} row {number}, column '{col.PROPENSITY}': the same event is on row "
                f"{first} with another propensity"
            )
        for number, stored in conn.execute(_events_stored_differently()):
            shown = "empty" if stored is None else repr(float(stored))
            problems.add(
                f"{e} row {number}, column '{col.PROPENSITY}': the same event is already "
                f"stored with propensity {shown}"
            )
        for number, session_id in conn.execute(_events_of_unknown_sessions()):
            problems.add(
                f"{e} row {number}, column '{col.SESSION_ID}': '{session_id}' is in neither "
                "the sessions file nor the store"
            )


def _sessions_repeated_differently() -> Any:
    t, first, earlier = _aliases(stage_sessions)
    firsts = (
        select(first.c[col.SESSION_ID], func.min(first.c[ROW_NUMBER]).label("first_row"))
        .group_by(first.c[col.SESSION_ID])
        .having(func.count() > 1)
        .subquery()
    )
    return (
        select(t.c[ROW_NUMBER], t.c[col.SESSION_ID], firsts.c.first_row)
        .join(firsts, firsts.c[col.SESSION_ID] == t.c[col.SESSION_ID])
        .join(earlier, earlier.c[ROW_NUMBER] == firsts.c.first_row)
        .where(t.c[ROW_NUMBER] != firsts.c.first_row, _differs(t, earlier, _SESSION_VALUES))
        .order_by(t.c[ROW_NUMBER])
    )


def _sessions_stored_differently() -> Any:
    t, s = stage_sessions, schema.sessions
    return (
        select(t.c[ROW_NUMBER], t.c[col.SESSION_ID])
        .join(s, s.c[col.SESSION_ID] == t.c[col.SESSION_ID])
        .where(_differs(t, s, _SESSION_VALUES))
        .order_by(t.c[ROW_NUMBER])
    )


def _events_repeated_differently() -> Any:
    t, first, earlier = _aliases(stage_events)
    firsts = (
        select(
            *(first.c[k] for k in col.EVENT_KEY), func.min(first.c[ROW_NUMBER]).label("first_row")
        )
        .group_by(*(first.c[k] for k in col.EVENT_KEY))
        .having(func.count() > 1)
        .subquery()
    )
    return (
        select(t.c[ROW_NUMBER], firsts.c.first_row)
        .join(firsts, _same_key(t, firsts))
        .join(earlier, earlier.c[ROW_NUMBER] == firsts.c.first_row)
        .where(t.c[ROW_NUMBER] != firsts.c.first_row, _differs(t, earlier, (col.PROPENSITY,)))
        .order_by(t.c[ROW_NUMBER])
    )


def _events_stored_differently() -> Any:
    t, stored = stage_events, schema.events
    return (
        select(t.c[ROW_NUMBER], stored.c[col.PROPENSITY])
        .join(stored, _same_key(t, stored))
        .where(_differs(t, stored, (col.PROPENSITY,)))
        .order_by(t.c[ROW_NUMBER])
    )


def _events_of_unknown_sessions() -> Any:
    t = stage_events
    in_file = exists().where(stage_sessions.c[col.SESSION_ID] == t.c[col.SESSION_ID])
    in_store = exists().where(schema.sessions.c[col.SESSION_ID] == t.c[col.SESSION_ID])
    return (
        select(t.c[ROW_NUMBER], t.c[col.SESSION_ID])
        .where(~in_file, ~in_store)
        .order_by(t.c[ROW_NUMBER])
    )


_SESSION_VALUES = tuple(name for name in col.SESSION_COLUMNS if name != col.SESSION_ID)


def _aliases(table: Table) -> tuple[Any, Any, Any]:
    return table.alias("t"), table.alias("f"), table.alias("e")


def _same_key(a: Any, b: Any) -> Any:
    return and_(*(a.c[name] == b.c[name] for name in col.EVENT_KEY))


def _differs(a: Any, b: Any, names: Iterable[str]) -> Any:
    # IS DISTINCT FROM: an empty (unknown) propensity differs from any number.
    return or_(*(a.c[name].is_distinct_from(b.c[name]) for name in names))


class _Counter:
    def __init__(self, rows: Iterable[tuple[int, Event]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[tuple[int, Event]]:
        for row in self.rows:
            self.count += 1
            yield row


def _session_values(number: int, r: SessionRecord) -> tuple[Any, ...]:
    values = {ROW_NUMBER: number, **session_fields(r)}
    return tuple(values[name] for name in SESSION_NAMES)


def _event_values(number: int, e: Event) -> tuple[Any, ...]:
    values = {ROW_NUMBER: number, **event_fields(e)}
    return tuple(values[name] for name in EVENT_NAMES)


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
