"""Reads for analysts and the training pipeline: the feedback tables as pandas DataFrames.

    read_sessions(store, chunksize=None) -> DataFrame | Iterator[DataFrame]
    read_events(store, chunksize=None) -> DataFrame | Iterator[DataFrame]
    read_picks(store) -> DataFrame(session_id, position, sku, team, candidate_model)
    read_picked_outcomes(store, ("click", ...)) -> DataFrame(session_id, sku, event)

Columns are exactly those of SPEC section 5 (`columns.SESSION_FILE_COLUMNS`, with revision 3's
`client`, and `columns.EVENT_COLUMNS`).
`created_at` and `ts` are `datetime64[us, UTC]`; `position` is int64; `propensity` is float64
with NaN where unknown. In sessions, `answers` holds validated `recommender.shopper.answers.Answers`
objects (read back through `parse_answers(..., allow_derived=True)`). Sessions come ordered by
(created_at, session_id), events in the order they were stored.

With `chunksize=N` each function returns an iterator of DataFrames of at most N rows, read
from one consistent snapshot with a server-side cursor on PostgreSQL, so tables larger than
memory can be streamed; close the iterator (or exhaust it) to release the connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeAlias

import pandas as pd
from sqlalchemy import Connection, Select, select
from sqlalchemy.exc import SQLAlchemyError

from recommender.errors import AnswersError, StoreError
from recommender.feedback import columns as col
from recommender.feedback.engine import SQLITE_BEGIN_OPTION
from recommender.feedback.picks import PICK_COLUMNS
from recommender.feedback.schema import events, interleaved, sessions
from recommender.feedback.store import FeedbackStore
from recommender.shopper.answers import Answers, parse_answers

Frames: TypeAlias = pd.DataFrame | Iterator[pd.DataFrame]
Tidy = Callable[[pd.DataFrame], pd.DataFrame]


def read_sessions(store: FeedbackStore, chunksize: int | None = None) -> Frames:
    """All sessions, as one DataFrame or (with `chunksize`) an iterator of DataFrames."""
    query = (
        select(*(sessions.c[name] for name in col.SESSION_FILE_COLUMNS))
        .where(store.visible(sessions))
        .order_by(sessions.c[col.CREATED_AT], sessions.c[col.SESSION_ID])
    )
    return _read(store, query, _tidy_sessions, chunksize)


def read_events(store: FeedbackStore, chunksize: int | None = None) -> Frames:
    """All events, as one DataFrame or (with `chunksize`) an iterator of DataFrames."""
    query = (
        select(*(events.c[name] for name in col.EVENT_COLUMNS))
        .where(store.visible(events))
        .order_by(events.c[col.EVENT_ID])
    )
    return _read(store, query, _tidy_events, chunksize)


def read_experiments(store: FeedbackStore) -> pd.DataFrame:
    """Which experiment arm served each session (`session_id`, `experiment`; None = no arm)."""
    query = (
        select(sessions.c[col.SESSION_ID], sessions.c[col.EXPERIMENT])
        .where(store.visible(sessions))
        .order_by(sessions.c[col.SESSION_ID])
    )
    with _reading(store) as conn:
        frame = pd.read_sql(query, conn)
    arm = frame[col.EXPERIMENT].astype(object)
    return frame.assign(**{col.EXPERIMENT: arm.where(arm.notna(), None)})


def read_table(store: FeedbackStore, query: Select) -> pd.DataFrame:
    """Any other query's rows in one read transaction (StoreError when it fails)."""
    with _reading(store) as conn:
        return pd.read_sql(query, conn)


def read_picks(store: FeedbackStore) -> pd.DataFrame:
    """Every interleaved pick, ordered by session and position (`PICK_COLUMNS`)."""
    query = select(*(interleaved.c[name] for name in PICK_COLUMNS)).order_by(
        interleaved.c[col.SESSION_ID], interleaved.c[col.POSITION]
    )
    frame = read_table(store, query)
    return frame.astype({col.POSITION: "int64"})[list(PICK_COLUMNS)]


def read_picked_outcomes(store: FeedbackStore, kinds: Sequence[str]) -> pd.DataFrame:
    """The events of kinds `kinds` in interleaved sessions only (session_id, sku, event): a
    report need not read the whole events table."""
    picked = select(interleaved.c[col.SESSION_ID]).distinct()
    query = select(events.c[col.SESSION_ID], events.c[col.SKU], events.c[col.EVENT]).where(
        events.c[col.SESSION_ID].in_(picked), events.c[col.EVENT].in_(list(kinds))
    )
    return read_table(store, query)


def _read(store: FeedbackStore, query: Select, tidy: Tidy, chunksize: int | None) -> Frames:
    if chunksize is None:
        with _reading(store) as conn:
            return tidy(pd.read_sql(query, conn))
    if chunksize < 1:
        raise ValueError(f"chunksize must be 1 or more, got {chunksize}")
    return _chunks(store, query, tidy, chunksize)


def _chunks(
    store: FeedbackStore, query: Select, tidy: Tidy, chunksize: int
) -> Iterator[pd.DataFrame]:
    with _reading(store) as conn:
        for frame in pd.read_sql(query, conn, chunksize=chunksize):
            yield tidy(frame)


@contextmanager
def _reading(store: FeedbackStore) -> Iterator[Connection]:
    try:
        with store.engine.connect() as conn:
            # One read transaction (a snapshot); a server-side cursor on PostgreSQL.
            conn.execution_options(stream_results=True, **{SQLITE_BEGIN_OPTION: "DEFERRED"})
            with conn.begin():
                yield conn
    except SQLAlchemyError as error:
        raise StoreError(f"could not read the feedback store: {error}") from error


def _tidy_sessions(frame: pd.DataFrame) -> pd.DataFrame:
    frame[col.CREATED_AT] = pd.to_datetime(frame[col.CREATED_AT], utc=True).astype(
        "datetime64[us, UTC]"
    )
    frame[col.ANSWERS] = [
        _answers(sid, text)
        for sid, text in zip(frame[col.SESSION_ID], frame[col.ANSWERS], strict=True)
    ]
    return frame[list(col.SESSION_FILE_COLUMNS)]


def _tidy_events(frame: pd.DataFrame) -> pd.DataFrame:
    frame[col.TS] = pd.to_datetime(frame[col.TS], utc=True).astype("datetime64[us, UTC]")
    frame[col.POSITION] = frame[col.POSITION].astype("int64")
    frame[col.PROPENSITY] = frame[col.PROPENSITY].astype("float64")
    return frame[list(col.EVENT_COLUMNS)]


def _answers(session_id: str, text: str) -> Answers:
    try:
        return parse_answers(json.loads(text), allow_derived=True)
    except (json.JSONDecodeError, AnswersError) as error:
        raise StoreError(
            f"stored answers of session '{session_id}' are unreadable: {error}"
        ) from None
