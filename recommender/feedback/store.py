"""The write side of the feedback store, for the app: sessions, impressions, outcomes.

Every call is one small transaction: it either lands whole or not at all, and never touches
rows written before it. Database trouble surfaces as `StoreError`, bad values as `InputError`.
Writing an event that is already stored (same natural key) is a no-op, so retries are safe.

    store = FeedbackStore.open(settings.db_url)          # creates or upgrades the schema
    session_id = store.record_shown(answers, shown)      # shown: policy.Presentation
    store.log_outcome(session_id, sku="KN-104", position=2, event="click")
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, Table, delete, func, select, true

from recommender.errors import StoreError
from recommender.feedback import columns as col
from recommender.feedback.engine import (
    StoreUnavailable,
    check_reachable,
    create_store_engine,
    open_read_only,
    with_retry,
    write_turn,
)
from recommender.feedback.migrations import LATEST_VERSION, migrate, stored_version
from recommender.feedback.records import Event, Impression, check_choice, checked_event, utc_now
from recommender.feedback.rows import (
    check_fields,
    insert_events,
    insert_sessions,
    session_record,
    shown_rows,
    write_shown,
)
from recommender.feedback.schema import events, imports, sessions
from recommender.shopper.answers import Answers

if TYPE_CHECKING:
    from recommender.feedback.picks import TeamPicks
    from recommender.feedback.policy import Presentation

T = TypeVar("T")


class FeedbackStore:
    """Sessions and events in one database; open it with `FeedbackStore.open(url)`.

    `tracks_imports` is False only for a store opened read-only before migration 4 reached it:
    such a store cannot hold an unpublished import, so every row is visible.
    """

    def __init__(self, engine: Engine, tracks_imports: bool = True) -> None:
        self.engine = engine
        self.tracks_imports = tracks_imports

    @classmethod
    def open(
        cls, url: str, read_only: bool = False, statement_timeout_s: float | None = None
    ) -> FeedbackStore:
        """Connect to `url`, creating or upgrading the schema on first use.

        `statement_timeout_s` bounds each statement's run and lock wait (the HTTP API's store;
        see `create_store_engine`); the schema is brought up to date before it applies.

        `read_only=True` (for exports) never writes: an existing SQLite file is opened in
        read-only mode, so a store on a read-only disk or owned by another user still reads.
        """
        if read_only:
            engine = open_read_only(url)
            if engine is not None:
                opened = engine
                try:
                    version = with_retry(lambda: stored_version(opened), "read the store")
                except StoreError as error:  # e.g. the file is not a database at all
                    engine.dispose()
                    raise StoreUnavailable(f"RECOMMENDER_DB: {error}") from error
                return cls(engine, tracks_imports=version >= LATEST_VERSION)
        migrating = create_store_engine(url)
        check_reachable(migrating)
        with_retry(lambda: migrate(migrating), "prepare the feedback store")
        if statement_timeout_s is None:
            return cls(migrating)
        # The schema is brought up to date first; only then do the statements get their limit.
        migrating.dispose()
        return cls(create_store_engine(url, statement_timeout_s))

    def visible(self, table: Table) -> ColumnElement[bool]:
        """Rows the app wrote and rows of published imports; an import still running (or one
        that died) stays out of every read until it is published or cleaned away."""
        if not self.tracks_imports:
            return true()
        unpublished = select(imports.c[col.IMPORT_ID]).where(imports.c[col.PUBLISHED_AT].is_(None))
        ids = table.c[col.IMPORT_ID]
        return ids.is_(None) | ids.not_in(unpublished)

    def close(self) -> None:
        """Close every connection of the store."""
        self.engine.dispose()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start_session(
        self,
        answers: Answers,
        *,
        triage_level: str,
        model_version: str,
        policy: str,
        session_id: str | None = None,
        created_at: datetime | None = None,
        experiment: str | None = None,
    ) -> str:
        """Store a new session (its answers without raw height or weight); return its id."""
        record = session_record(
            answers, triage_level, model_version, policy, session_id, created_at, experiment
        )
        self.write(lambda conn: insert_sessions(conn, [record]), "save the session")
        return record.session_id

    def log_impressions(
        self, session_id: str, impressions: Sequence[Impression], ts: datetime | None = None
    ) -> int:
        """Store what was shown, with positions and propensities; return rows added."""
        when = ts or utc_now()
        rows = [
            Event(session_id, when, i.sku, i.position, col.IMPRESSION, i.propensity)
            for i in impressions
        ]
        return self.log_events(rows)

    def log_outcome(
        self,
        session_id: str,
        *,
        sku: str,
        position: int,
        event: str,
        ts: datetime | None = None,
        propensity: float | None = None,
    ) -> int:
        """Store what the shopper did with a shown product.

        Without `propensity`, the one logged with that product's impression is copied, so an
        outcome can be reweighted exactly like the impression it follows.
        """
        check_fields(lambda: check_choice(col.EVENT, event, col.OUTCOME_KINDS))
        outcome = Event(session_id, ts or utc_now(), sku, position, event, propensity)
        outcome = check_fields(lambda: checked_event(outcome))

        def write(conn: Connection) -> int:
            known = outcome.propensity
            if known is None:
                known = _impression_propensity(conn, session_id, sku, position)
            return insert_events(conn, [_with_propensity(outcome, known)])

        return self.write(write, "save the outcome")

    def log_events(self, rows: Iterable[Event]) -> int:
        """Store a batch of events in one transaction; return how many were new."""
        valid = [check_fields(partial(checked_event, e)) for e in rows]
        return self.write(lambda conn: insert_events(conn, valid), "save the events")

    def record_shown(
        self,
        answers: Answers,
        shown: Presentation,
        created_at: datetime | None = None,
        experiment: str | None = None,
        picks: TeamPicks | None = None,
        session_id: str | None = None,
        client: str = col.FINDER,
    ) -> str:
        """Store a session and its impressions together, as the app shows a result.

        `experiment` names the merchandisers' experiment arm that served it, if any; `picks`
        the team behind each product of an interleaved list (same transaction). `session_id`
        is a caller's own id (the HTTP API's); one already stored is refused. `client` says
        who made it (SPEC section 5 revision 3).
        """
        rows = shown_rows(answers, shown, created_at, experiment, picks, session_id, client)
        self.write(lambda conn: write_shown(conn, [rows]), "save the session")
        return rows.record.session_id

    def counts(self) -> dict[str, int]:
        """Rows per table, for checks and the command line."""
        with self.engine.connect() as conn:
            return {
                table.name: int(conn.scalar(select(func.count()).where(self.visible(table))) or 0)
                for table in (sessions, events)
            }

    def delete_sessions_before(self, cutoff: datetime) -> tuple[int, int]:
        """Delete sessions created and events logged before `cutoff`; return (sessions, events)."""

        # An import still running owns its rows until it publishes them; purge leaves them be.
        def write(conn: Connection) -> tuple[int, int]:
            old = select(sessions.c[col.SESSION_ID]).where(
                sessions.c[col.CREATED_AT] < cutoff, self.visible(sessions)
            )
            gone_events = conn.execute(
                delete(events).where(
                    (events.c[col.TS] < cutoff) | events.c[col.SESSION_ID].in_(old),
                    self.visible(events),
                )
            ).rowcount
            gone_sessions = conn.execute(
                delete(sessions).where(sessions.c[col.CREATED_AT] < cutoff, self.visible(sessions))
            ).rowcount
            return gone_sessions, gone_events

        return self.write(write, "purge old feedback")

    def write(self, work: Callable[[Connection], T], what: str) -> T:
        """`work(conn)` as one write transaction, in turn with every other writer of the store,
        retried while the database is only busy; a failure is a StoreError saying `what`."""

        def transaction() -> T:
            with write_turn(self.engine), self.engine.begin() as conn:
                return work(conn)

        return with_retry(transaction, what)


def _impression_propensity(conn: Connection, session_id: str, sku: str, position: int) -> Any:
    query = select(events.c[col.PROPENSITY]).where(
        events.c[col.SESSION_ID] == session_id,
        events.c[col.SKU] == sku,
        events.c[col.POSITION] == position,
        events.c[col.EVENT] == col.IMPRESSION,
    )
    return conn.scalars(query.limit(1)).first()


def _with_propensity(event: Event, propensity: float | None) -> Event:
    return Event(event.session_id, event.ts, event.sku, event.position, event.event, propensity)
