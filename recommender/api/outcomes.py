"""The checkout's outcome events into the feedback store: one transaction, idempotent.

A row without a propensity gets the one logged with that product's impression in its session,
as the finder's own outcome writes do, so a retry computes the same row and is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select, tuple_

from recommender.api.problems import BadRequestBody
from recommender.feedback import FeedbackStore
from recommender.feedback import columns as col
from recommender.feedback.records import Event
from recommender.feedback.rows import insert_events
from recommender.feedback.schema import events, sessions


def store_outcomes(store: FeedbackStore, rows: Sequence[Event]) -> int:
    """Write every row or none; return how many were new. Unknown sessions are named."""

    def write(conn: Connection) -> int:
        _require_sessions(conn, store, rows)
        shown = _impression_propensities(conn, rows)
        filled = [
            row
            if row.propensity is not None
            else Event(
                row.session_id,
                row.ts,
                row.sku,
                row.position,
                row.event,
                shown.get((row.session_id, row.sku, row.position)),
            )
            for row in rows
        ]
        return insert_events(conn, filled)

    return store.write(write, "save the events")


def _require_sessions(conn: Connection, store: FeedbackStore, rows: Sequence[Event]) -> None:
    wanted = {row.session_id for row in rows}
    query = select(sessions.c[col.SESSION_ID]).where(
        sessions.c[col.SESSION_ID].in_(wanted), store.visible(sessions)
    )
    found = set(conn.scalars(query))
    for number, row in enumerate(rows):
        if row.session_id not in found:
            where = f"events[{number}].session_id"
            raise BadRequestBody(
                f"{where}: no session '{row.session_id}' in the feedback store; nothing was saved",
                where,
            )


def _impression_propensities(
    conn: Connection, rows: Sequence[Event]
) -> dict[tuple[str, str, int], float | None]:
    keys = {(row.session_id, row.sku, row.position) for row in rows if row.propensity is None}
    if not keys:
        return {}
    shown = tuple_(events.c[col.SESSION_ID], events.c[col.SKU], events.c[col.POSITION])
    query = select(
        events.c[col.SESSION_ID],
        events.c[col.SKU],
        events.c[col.POSITION],
        events.c[col.PROPENSITY],
    ).where(shown.in_(list(keys)), events.c[col.EVENT] == col.IMPRESSION)
    return {(s, k, p): propensity for s, k, p, propensity in conn.execute(query)}
