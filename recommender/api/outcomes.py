"""The checkout's outcome events into the feedback store: one transaction, idempotent.

Each row is checked against its session as stored (`event_checks`) in the same transaction as
the write, so two requests cannot both pass a check that only one of them may. A row without a
propensity gets the one logged with that product's impression, as the finder's own outcome
writes do, so a retry computes the same row and is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from recommender.api.event_checks import SessionHistory, checked_outcomes
from recommender.api.problems import BadRequestBody
from recommender.feedback import FeedbackStore
from recommender.feedback import columns as col
from recommender.feedback.records import Event, utc_now
from recommender.feedback.rows import insert_events
from recommender.feedback.schema import events, sessions


def store_outcomes(store: FeedbackStore, rows: Sequence[Event]) -> int:
    """Write every row or none; return how many were new. A row that does not match its
    session (unknown, SKU not shown, ...) is refused by name."""

    def write(conn: Connection) -> int:
        history = _histories(conn, store, rows)
        return insert_events(conn, checked_outcomes(rows, history, utc_now()))

    return store.write(write, "save the events")


def _histories(
    conn: Connection, store: FeedbackStore, rows: Sequence[Event]
) -> dict[str, SessionHistory]:
    wanted = {row.session_id for row in rows}
    query = select(sessions.c[col.SESSION_ID], sessions.c[col.CREATED_AT]).where(
        sessions.c[col.SESSION_ID].in_(wanted), store.visible(sessions)
    )
    began = {session_id: created_at for session_id, created_at in conn.execute(query)}
    for number, row in enumerate(rows):
        if row.session_id not in began:
            where = f"events[{number}].session_id"
            raise BadRequestBody(
                f"{where}: no session '{row.session_id}' in the feedback store; nothing was saved",
                where,
            )
    stored: dict[str, list[Event]] = {session_id: [] for session_id in began}
    query = select(*(events.c[name] for name in col.EVENT_COLUMNS)).where(
        events.c[col.SESSION_ID].in_(began), store.visible(events)
    )
    for found in conn.execute(query):
        event = Event(**found._mapping)
        stored[event.session_id].append(event)
    return {
        session_id: SessionHistory(created_at, tuple(stored[session_id]))
        for session_id, created_at in began.items()
    }
