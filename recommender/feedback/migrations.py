"""Bring any feedback database to the current schema, one recorded step at a time.

Each migration is a numbered, frozen step: once released it never changes, and a later change
(a new column, an index) is a new step appended to `MIGRATIONS`. Applied steps are recorded in
the schema-version table, so a database made by an older release is upgraded in place and keeps
its rows. All pending steps run in one transaction under a lock, so two processes opening a
fresh store at once cannot both create it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, MetaData, Table, func, insert, inspect, select, text

from recommender.errors import StoreError
from recommender.feedback import columns as col
from recommender.feedback import schema
from recommender.feedback.records import utc_now

# Any constant works; it only has to be the same in every process that migrates.
_PG_MIGRATION_LOCK = 7_346_221


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema change, numbered, applied once per store."""

    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_tables(conn: Connection) -> None:
    # Version 1 as released. Its column lists in schema.py are frozen: a later column is added
    # by a new migration and appended to the live tables there, never to these lists.
    frozen = MetaData()
    Table(col.SESSIONS, frozen, *schema.session_columns())
    Table(col.EVENTS, frozen, *schema.event_columns())
    frozen.create_all(conn)


def _index_times(conn: Connection) -> None:
    conn.execute(text(f"CREATE INDEX ix_sessions_created_at ON {col.SESSIONS} ({col.CREATED_AT})"))
    conn.execute(text(f"CREATE INDEX ix_events_ts ON {col.EVENTS} ({col.TS})"))


def _add_experiment_arm(conn: Connection) -> None:
    conn.execute(text(f"ALTER TABLE {col.SESSIONS} ADD COLUMN {col.EXPERIMENT} VARCHAR(32)"))


def _track_imports(conn: Connection) -> None:
    frozen = MetaData()
    Table(col.IMPORTS, frozen, *schema.import_columns()).create(conn)
    for table in (col.SESSIONS, col.EVENTS):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {col.IMPORT_ID} VARCHAR(32)"))
        conn.execute(text(f"CREATE INDEX ix_{table}_import_id ON {table} ({col.IMPORT_ID})"))


def _add_interleaved_picks(conn: Connection) -> None:
    frozen = MetaData()
    Table(col.SESSIONS, frozen, *schema.session_columns())  # for the foreign key only
    Table(col.INTERLEAVED, frozen, *schema.interleaved_columns()).create(conn)


def _count_the_funnel(conn: Connection) -> None:
    frozen = MetaData()
    Table(col.FUNNEL, frozen, *schema.funnel_columns()).create(conn)


def _add_client(conn: Connection) -> None:
    # Sessions stored before revision 3 read as the finder's, as an import without the column.
    conn.execute(
        text(
            f"ALTER TABLE {col.SESSIONS} ADD COLUMN {col.CLIENT} "
            f"VARCHAR({schema.CLIENT_LENGTH}) NOT NULL DEFAULT '{col.FINDER}'"
        )
    )
    conn.execute(text(f"CREATE INDEX ix_sessions_client ON {col.SESSIONS} ({col.CLIENT})"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions and events tables", _create_tables),
    Migration(2, "time indexes for retention and reads", _index_times),
    Migration(3, "experiment arm of each session", _add_experiment_arm),
    Migration(4, "imports published in one step", _track_imports),
    Migration(5, "team of each product in an interleaved session", _add_interleaved_picks),
    Migration(6, "client that made each session", _add_client),
    Migration(7, "shoppers per day at each stage of the finder", _count_the_funnel),
)
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The store's schema version (0 for a new database)."""
    schema.schema_versions.create(conn, checkfirst=True)
    return int(conn.scalar(select(func.max(schema.schema_versions.c.version))) or 0)


def stored_version(engine: Engine) -> int:
    """The store's schema version, read without writing anything (0 for an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(col.SCHEMA_VERSION_TABLE):
            return 0
        return int(conn.scalar(select(func.max(schema.schema_versions.c.version))) or 0)


def migrate(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply every pending migration; return the version the database is now at."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        version = current_version(conn)
        known = migrations[-1].version if migrations else 0
        if version > known:
            raise StoreError(
                f"the feedback store is at schema version {version}, newer than this "
                f"program knows ({known}); upgrade the program"
            )
        for migration in migrations:
            if migration.version > version:
                migration.apply(conn)
                _record(conn, migration)
                version = migration.version
    return version


def _record(conn: Connection, migration: Migration) -> None:
    conn.execute(
        insert(schema.schema_versions).values(
            version=migration.version, description=migration.description, applied_at=utc_now()
        )
    )
