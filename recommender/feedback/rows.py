"""Rows into the feedback tables: checked session records and the inserts every writer shares.

The store's own writes (`store.py`) and the group commit of shown results (`shown.py`) build
their rows here and insert them through these functions, with the interleaving picks
(`picks.py`) of a shown result in the same transaction, so a session, an event or a pick is
checked and written one way, whoever writes it. Reading them back is `reads.py`.

    record = session_record(answers, "none", "rules-only", "ranked", None, None)
    insert_sessions(conn, [record]); insert_events(conn, events)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Insert, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from recommender.errors import InputError
from recommender.feedback import columns as col
from recommender.feedback.picks import TeamPicks, insert_picks
from recommender.feedback.records import (
    Event,
    FieldProblem,
    SessionRecord,
    check_choice,
    check_client,
    check_text,
    check_timestamp,
    event_fields,
    session_fields,
    utc_now,
)
from recommender.feedback.schema import events, sessions
from recommender.shopper.answers import Answers

if TYPE_CHECKING:
    from recommender.feedback.policy import Presentation

# Rows per INSERT statement: big enough to be fast, small enough for any driver's limits.
WRITE_CHUNK = 1_000
T = TypeVar("T")


def upsert_ignoring(conn: Connection, table: Any) -> Insert:
    """An INSERT that skips rows whose key is already stored (both dialects we support)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def insert_sessions(conn: Connection, records: Sequence[SessionRecord]) -> int:
    """Insert session records, skipping ids already stored; return how many were added."""
    rows = [session_fields(r) for r in records]
    return _insert_chunks(conn, upsert_ignoring(conn, sessions), rows)


def insert_events(conn: Connection, rows: Sequence[Event]) -> int:
    """Insert events of stored sessions, skipping exact repeats; return how many were added.

    InputError when a session is missing or a repeat carries another propensity."""
    values = [event_fields(e) for e in rows]
    _require_sessions(conn, {e.session_id for e in rows})
    added = _insert_chunks(conn, upsert_ignoring(conn, events), values)
    if added < len(values):
        # Some were already stored: a repeat is harmless only if it says the same.
        _refuse_other_propensities(conn, rows)
    return added


def _refuse_other_propensities(conn: Connection, rows: Sequence[Event]) -> None:
    for e in rows:
        natural = (e.session_id, e.ts, e.sku, e.position, e.event)  # in EVENT_KEY order
        key = [events.c[name] == value for name, value in zip(col.EVENT_KEY, natural, strict=True)]
        stored = conn.execute(select(events.c[col.PROPENSITY]).where(*key)).first()
        if stored is not None and stored[0] != e.propensity:
            raise InputError(
                f"event '{e.event}' of '{e.sku}' at position {e.position} in session "
                f"'{e.session_id}' at {e.ts.isoformat()} is already stored with propensity "
                f"{stored[0]!r}, not {e.propensity!r}; nothing was saved"
            )


def _insert_chunks(conn: Connection, statement: Insert, rows: list[dict[str, Any]]) -> int:
    # Counted through RETURNING: a multi-row INSERT's rowcount is not reliable on every driver,
    # and ON CONFLICT DO NOTHING returns only the rows it actually added.
    key = next(iter(statement.table.primary_key.columns))  # type: ignore[attr-defined]
    counting = statement.returning(key)
    added = 0
    for start in range(0, len(rows), WRITE_CHUNK):
        added += len(conn.execute(counting, rows[start : start + WRITE_CHUNK]).all())
    return added


def _require_sessions(conn: Connection, session_ids: set[str]) -> None:
    # Checked here so a missing session is a clear InputError, not a foreign-key failure.
    if not session_ids:
        return
    query = select(sessions.c[col.SESSION_ID]).where(sessions.c[col.SESSION_ID].in_(session_ids))
    missing = session_ids - set(conn.scalars(query))
    if missing:
        raise InputError(f"no session '{sorted(missing)[0]}' in the feedback store")


def session_record(
    answers: Answers,
    triage_level: str,
    model_version: str,
    policy: str,
    session_id: str | None,
    created_at: datetime | None,
    experiment: str | None = None,
    client: str = col.FINDER,
) -> SessionRecord:
    """A checked session record (InputError naming the bad field); a new id when none."""

    def build() -> SessionRecord:
        return SessionRecord(
            session_id=check_text(col.SESSION_ID, session_id or uuid.uuid4().hex),
            created_at=check_timestamp(col.CREATED_AT, created_at or utc_now()),
            answers=answers.to_record(),  # to_record() drops raw height and weight
            triage_level=check_choice(col.TRIAGE_LEVEL, triage_level, col.TRIAGE_LEVELS),
            model_version=check_text(col.MODEL_VERSION, model_version),
            policy=check_choice(col.POLICY, policy, col.POLICIES),
            experiment=None if experiment is None else check_text(col.EXPERIMENT, experiment),
            client=check_client(client),
        )

    return check_fields(build)


def check_fields(build: Callable[[], T]) -> T:
    """`build()`, with a bad field turned into an InputError that names it."""
    try:
        return build()
    except FieldProblem as problem:
        raise InputError(f"feedback {problem}") from None


@dataclass(frozen=True, slots=True)
class ShownRows:
    """The rows one shown result adds: its session, impressions and interleaving picks."""

    record: SessionRecord
    impressions: list[Event]
    skus: list[str]  # in the order shown, for the picks
    picks: TeamPicks | None
    # The session and its impressions as the store's columns, made in the caller's thread.
    session_row: dict[str, Any]
    impression_rows: list[dict[str, Any]]


def shown_rows(
    answers: Answers,
    shown: Presentation,
    created_at: datetime | None = None,
    experiment: str | None = None,
    picks: TeamPicks | None = None,
    session_id: str | None = None,
    client: str = col.FINDER,
) -> ShownRows:
    """The checked rows of `record_shown`, ready for `write_shown` (InputError when bad)."""
    result = shown.result
    record = session_record(
        answers,
        result.triage.level,
        result.model_version,
        shown.policy,
        session_id,
        created_at,
        experiment,
        client,
    )
    impressions = [
        Event(record.session_id, record.created_at, i.sku, i.position, col.IMPRESSION, i.propensity)
        for i in shown.impressions()
    ]
    checked_picks = None if picks is None else check_fields(picks.checked)
    skus = [item.sku for item in result.items]
    rows = [event_fields(event) for event in impressions]
    return ShownRows(record, impressions, skus, checked_picks, session_fields(record), rows)


class SessionTaken(InputError):
    """A session id in a group was already stored (which one, only a checked write says)."""


def write_shown_group(conn: Connection, batch: Sequence[ShownRows]) -> None:
    """Insert the sessions of `batch` with their impressions and picks, in `conn`'s transaction,
    with plain inserts; SessionTaken when a session id is already stored or repeated."""
    try:
        conn.execute(insert(sessions), [rows.session_row for rows in batch])
    except IntegrityError:
        raise SessionTaken("a session id in this group is already used") from None
    impressions = [row for rows in batch for row in rows.impression_rows]
    if impressions:
        conn.execute(insert(events), impressions)
    _insert_all_picks(conn, batch)


def write_shown(conn: Connection, batch: Sequence[ShownRows]) -> None:
    """Insert the sessions of `batch` with their impressions and picks, in `conn`'s transaction.

    A session id already stored (or twice in the batch) is an InputError naming it: adding
    impressions to someone else's session would corrupt its feedback.
    """
    if insert_sessions(conn, [rows.record for rows in batch]) < len(batch):
        wanted = [rows.record.session_id for rows in batch]
        stored = set(conn.scalars(select(sessions.c[col.SESSION_ID]).where(
            sessions.c[col.SESSION_ID].in_(wanted)
        )))  # fmt: skip
        taken = [id_ for id_ in wanted if id_ in stored] or wanted
        raise InputError(f"session_id '{taken[0]}' is already used")
    insert_events(conn, [event for rows in batch for event in rows.impressions])
    _insert_all_picks(conn, batch)


def _insert_all_picks(conn: Connection, batch: Sequence[ShownRows]) -> None:
    for rows in batch:
        if rows.picks is not None:
            insert_picks(conn, rows.record.session_id, rows.skus, rows.picks)
