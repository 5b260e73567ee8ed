"""An outcome event must match the session it names (SPEC section 7, revision 3).

Checked against what the store holds for that session, and against the earlier rows of the same
request:

- the SKU was shown in the session (it has an impression there), at the position given;
- its time is not before the session began nor more than `CLOCK_SKEW` in the future (the
  same allowance both ways, for the clocks of the shop's servers and ours);
- a `returned` follows a `purchase` of that SKU in that session, not later than the return;
- the propensity is the impression's: left out, it is copied; given, it must be the same;
- at most `MAX_REPEATS` events of one kind for one product of one session.

The first problem refuses the whole request with a 422 naming the row and field; nothing of it
is stored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from recommender.api.problems import BadRequestBody
from recommender.feedback import columns as col
from recommender.feedback.records import Event, format_timestamp

CLOCK_SKEW = timedelta(minutes=5)
MAX_REPEATS = 10
PURCHASE, RETURNED = "purchase", "returned"


@dataclass(frozen=True, slots=True)
class SessionHistory:
    """What the store holds for one session: when it began and its events so far."""

    created_at: datetime
    events: tuple[Event, ...]


def checked_outcomes(
    rows: Sequence[Event], history: Mapping[str, SessionHistory], now: datetime
) -> list[Event]:
    """`rows` with each propensity copied from its impression; BadRequestBody at the first
    row that does not match its session (every session is in `history`)."""
    checked: list[Event] = []
    kinds: dict[tuple[str, str, str], set[tuple[datetime, int]]] = defaultdict(set)
    purchases: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for session_id, past in history.items():
        for event in past.events:
            kinds[(session_id, event.sku, event.event)].add((event.ts, event.position))
            if event.event == PURCHASE:
                purchases[(session_id, event.sku)].append(event.ts)
    for number, row in enumerate(rows):
        where = f"events[{number}]"
        past = history[row.session_id]
        shown = _impression(row, past, where)
        _check_time(row, past, now, where)
        if row.propensity is not None and not _same(row.propensity, shown.propensity):
            stored = "unknown" if shown.propensity is None else repr(shown.propensity)
            _refuse(
                where,
                col.PROPENSITY,
                f"{row.propensity!r} is not the impression's ({stored}); leave it out and the "
                "impression's is used",
            )
        if row.event == RETURNED and not any(
            ts <= row.ts for ts in purchases[(row.session_id, row.sku)]
        ):
            _refuse(
                where,
                col.EVENT,
                f"'returned' of '{row.sku}' with no purchase of it in session "
                f"'{row.session_id}' at or before {format_timestamp(row.ts)}",
            )
        seen = kinds[(row.session_id, row.sku, row.event)]
        seen.add((row.ts, row.position))
        if len(seen) > MAX_REPEATS:
            _refuse(
                where,
                col.EVENT,
                f"more than {MAX_REPEATS} '{row.event}' events of '{row.sku}' in session "
                f"'{row.session_id}'",
            )
        if row.event == PURCHASE:
            purchases[(row.session_id, row.sku)].append(row.ts)
        checked.append(replace(row, propensity=shown.propensity))
    return checked


def _impression(row: Event, past: SessionHistory, where: str) -> Event:
    shown = [e for e in past.events if e.event == col.IMPRESSION and e.sku == row.sku]
    if not shown:
        _refuse(where, col.SKU, f"'{row.sku}' was not shown in session '{row.session_id}'")
    for impression in shown:
        if impression.position == row.position:
            return impression
    positions = ", ".join(str(e.position) for e in shown)
    _refuse(
        where,
        col.POSITION,
        f"{row.position} is not where '{row.sku}' was shown in session '{row.session_id}' "
        f"(position {positions})",
    )
    raise AssertionError("unreachable")


def _check_time(row: Event, past: SessionHistory, now: datetime, where: str) -> None:
    if row.ts < past.created_at - CLOCK_SKEW:
        _refuse(
            where,
            col.TS,
            f"{format_timestamp(row.ts)} is before session '{row.session_id}' began "
            f"({format_timestamp(past.created_at)})",
        )
    if row.ts > now + CLOCK_SKEW:
        minutes = int(CLOCK_SKEW.total_seconds() // 60)
        _refuse(
            where,
            col.TS,
            f"{format_timestamp(row.ts)} is more than {minutes} minutes in the future",
        )


def _same(given: float, stored: float | None) -> bool:
    return stored is not None and math.isclose(given, stored, rel_tol=1e-9, abs_tol=1e-12)


def _refuse(where: str, column: str, problem: str) -> None:
    field = f"{where}.{column}"
    raise BadRequestBody(f"{field}: {problem}; nothing was saved", field)
