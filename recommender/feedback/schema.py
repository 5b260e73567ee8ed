"""The feedback tables as the code reads and writes them today (the latest migration's shape).

`migrations.py` owns how a database gets to this shape; this module only describes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from recommender.feedback import columns as col

ID_LENGTH = 200
IMPORT_ID_LENGTH = 32
CLIENT_LENGTH = 64


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out: `timestamptz` on PostgreSQL, naive UTC text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """A time as the database stores it: UTC."""
        if value is None:
            return None
        value = value.astimezone(UTC)
        # SQLite keeps no offset; storing every time as naive UTC keeps them comparable.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """A stored time, back with its UTC time zone."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def event_id_type() -> Any:
    """The events table's key type: auto-numbered on both databases."""
    # SQLite only auto-numbers an INTEGER PRIMARY KEY; PostgreSQL gets room for billions.
    return BigInteger().with_variant(Integer(), "sqlite")


def session_columns() -> list[Column[Any]]:
    """The sessions columns of schema version 1 (frozen: migration 1 creates exactly these)."""
    return [
        Column(col.SESSION_ID, String(ID_LENGTH), primary_key=True),
        Column(col.CREATED_AT, UTCDateTime(), nullable=False),
        Column(col.ANSWERS, Text(), nullable=False),
        Column(col.TRIAGE_LEVEL, String(32), nullable=False),
        Column(col.MODEL_VERSION, String(ID_LENGTH), nullable=False),
        Column(col.POLICY, String(16), nullable=False),
    ]


def event_columns() -> list[Any]:
    """The events columns of schema version 1 (frozen: migration 1 creates exactly these)."""
    return [
        Column(col.EVENT_ID, event_id_type(), primary_key=True, autoincrement=True),
        Column(
            col.SESSION_ID,
            String(ID_LENGTH),
            ForeignKey(f"{col.SESSIONS}.{col.SESSION_ID}", ondelete="CASCADE"),
            nullable=False,
        ),
        Column(col.TS, UTCDateTime(), nullable=False),
        Column(col.SKU, String(ID_LENGTH), nullable=False),
        Column(col.POSITION, Integer(), nullable=False),
        Column(col.EVENT, String(32), nullable=False),
        Column(col.PROPENSITY, Float(), nullable=True),
        UniqueConstraint(*col.EVENT_KEY, name="uq_events_natural_key"),
    ]


def interleaved_columns() -> list[Any]:
    """The interleaved-picks columns of schema version 5 (frozen: migration 5 creates these)."""
    return [
        Column(
            col.SESSION_ID,
            String(ID_LENGTH),
            ForeignKey(f"{col.SESSIONS}.{col.SESSION_ID}", ondelete="CASCADE"),
            primary_key=True,
        ),
        Column(col.POSITION, Integer(), primary_key=True),
        Column(col.SKU, String(ID_LENGTH), nullable=False),
        Column(col.TEAM, String(16), nullable=False),
        Column(col.CANDIDATE_MODEL, String(ID_LENGTH), nullable=False),
    ]


metadata = MetaData()
sessions = Table(
    col.SESSIONS,
    metadata,
    *session_columns(),
    # Added by migration 3: the merchandisers' experiment arm (boosts or model switched off).
    Column(col.EXPERIMENT, String(32), nullable=True),
    # Added by migration 4: the import that added the row (NULL: written by the app).
    Column(col.IMPORT_ID, String(IMPORT_ID_LENGTH), nullable=True),
    # Added by migration 6: which client made the session (SPEC section 5, revision 3).
    Column(col.CLIENT, String(CLIENT_LENGTH), nullable=False, server_default=col.FINDER),
)
events = Table(
    col.EVENTS,
    metadata,
    *event_columns(),
    Column(col.IMPORT_ID, String(IMPORT_ID_LENGTH), nullable=True),
)
# Added by migration 5: the team (served or candidate ranking) behind each interleaved product.
interleaved = Table(col.INTERLEAVED, metadata, *interleaved_columns())
# Added by migration 2: retention purges and time-window reads scan by time.
Index("ix_sessions_created_at", sessions.c[col.CREATED_AT])
Index("ix_events_ts", events.c[col.TS])
# Added by migration 4: a failed import's rows are found (and deleted) by its id.
Index("ix_sessions_import_id", sessions.c[col.IMPORT_ID])
Index("ix_events_import_id", events.c[col.IMPORT_ID])
# Added by migration 6: training leaves out, and a purge finds, one client's sessions.
Index("ix_sessions_client", sessions.c[col.CLIENT])


def import_columns() -> list[Column[Any]]:
    """The imports table of migration 4 (frozen)."""
    return [
        Column(col.IMPORT_ID, String(IMPORT_ID_LENGTH), primary_key=True),
        Column(col.STARTED_AT, UTCDateTime(), nullable=False),
        # NULL while the import runs (or after it died): its rows are then invisible.
        Column(col.PUBLISHED_AT, UTCDateTime(), nullable=True),
    ]


imports = Table(col.IMPORTS, metadata, *import_columns())

STAGE_LENGTH = 32


def funnel_columns() -> list[Column[Any]]:
    """The funnel table of migration 7 (frozen): shoppers per day and finder stage."""
    return [
        Column(col.DAY, String(10), primary_key=True),  # YYYY-MM-DD, UTC
        Column(col.STAGE, String(STAGE_LENGTH), primary_key=True),
        Column(col.SHOPPERS, Integer(), nullable=False),
    ]


funnel = Table(col.FUNNEL, metadata, *funnel_columns())

schema_versions = Table(
    col.SCHEMA_VERSION_TABLE,
    metadata,
    Column("version", Integer(), primary_key=True),
    Column("description", String(200), nullable=False),
    Column("applied_at", UTCDateTime(), nullable=False),
)
