"""Schema versions: an older database is upgraded in place and keeps every row."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from feedback_csv import feedback_files

from recommender.errors import StoreError
from recommender.feedback import (
    LATEST_VERSION,
    MIGRATIONS,
    FeedbackStore,
    Migration,
    export_feedback,
    import_feedback,
    migrate,
    read_events,
    read_experiments,
)
from recommender.feedback.engine import create_store_engine
from recommender.shopper.answers import parse_answers


def write_as_an_old_release(engine: sa.Engine, sessions: int = 3, events_per_session: int = 4):
    """Rows as an older release wrote them: only the columns of schema version 1."""
    with engine.begin() as conn:
        for n in range(sessions):
            conn.execute(
                sa.text(
                    "INSERT INTO sessions (session_id, created_at, answers, triage_level, "
                    "model_version, policy) VALUES (:id, :at, :answers, 'none', 'rules-only', "
                    "'ranked')"
                ),
                {"id": f"s{n}", "at": "2025-03-01 10:00:00", "answers": '{"schema_version":1}'},
            )
            for position in range(1, events_per_session + 1):
                conn.execute(
                    sa.text(
                        "INSERT INTO events (session_id, ts, sku, position, event, propensity) "
                        "VALUES (:id, :ts, :sku, :position, 'impression', 1.0)"
                    ),
                    {
                        "id": f"s{n}",
                        "ts": "2025-03-01 10:00:01",
                        "sku": f"KN-{100 + position}",
                        "position": position,
                    },
                )


def test_version_one_database_is_upgraded_without_losing_rows(
    store_url: str, tmp_path: Path
) -> None:
    engine = create_store_engine(store_url)
    assert migrate(engine, MIGRATIONS[:1]) == 1
    write_as_an_old_release(engine)  # as the first release left it: no time indexes yet
    before = read_events(FeedbackStore(engine, tracks_imports=False))
    assert "ix_events_ts" not in {i["name"] for i in sa.inspect(engine).get_indexes("events")}
    engine.dispose()

    with FeedbackStore.open(store_url) as upgraded:
        assert upgraded.counts() == {"sessions": 3, "events": 12}
        assert read_events(upgraded).equals(before)
        indexes = {i["name"] for i in sa.inspect(upgraded.engine).get_indexes("events")}
        assert "ix_events_ts" in indexes


def test_a_later_column_keeps_existing_rows(store_url: str, tmp_path: Path) -> None:
    with FeedbackStore.open(store_url) as store:
        import_feedback(store, *feedback_files(tmp_path))

    def add_device_column(conn: sa.Connection) -> None:
        conn.execute(sa.text("ALTER TABLE sessions ADD COLUMN device VARCHAR(20)"))

    future = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "sessions.device", add_device_column))
    engine = create_store_engine(store_url)
    assert migrate(engine, future) == LATEST_VERSION + 1
    assert migrate(engine, future) == LATEST_VERSION + 1  # applied once only
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT session_id, device FROM sessions")).all()
    assert sorted(rows) == [("s0", None), ("s1", None), ("s2", None)]
    assert FeedbackStore(engine).counts()["events"] == 12
    engine.dispose()


def test_failed_migration_changes_nothing(store_url: str) -> None:
    def broken(conn: sa.Connection) -> None:
        conn.execute(sa.text("CREATE TABLE half_done (x INTEGER)"))
        raise RuntimeError("step failed")

    engine = create_store_engine(store_url)
    migrate(engine)
    with pytest.raises(RuntimeError):
        migrate(engine, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", broken)))
    assert "half_done" not in sa.inspect(engine).get_table_names()
    assert migrate(engine) == LATEST_VERSION
    engine.dispose()


def test_database_from_a_newer_release_is_refused(store_url: str) -> None:
    engine = create_store_engine(store_url)
    future = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "noop", lambda conn: None))
    migrate(engine, future)
    engine.dispose()
    with pytest.raises(StoreError, match="newer than this program"):
        FeedbackStore.open(store_url)


def test_the_experiment_arm_column_arrives_without_touching_old_sessions(
    store_url: str, tmp_path: Path
) -> None:
    engine = create_store_engine(store_url)
    assert migrate(engine, MIGRATIONS[:2]) == 2
    write_as_an_old_release(engine)
    engine.dispose()

    with FeedbackStore.open(store_url) as upgraded:
        upgraded.start_session(
            parse_answers({"pain_areas": ["knee"]}),
            triage_level="none",
            model_version="rules-only",
            policy="ranked",
            session_id="arm-1",
            experiment="no_boost",
        )
        arms = dict(read_experiments(upgraded).itertuples(index=False))
        assert upgraded.counts() == {"sessions": 4, "events": 12}
    assert arms == {"s0": None, "s1": None, "s2": None, "arm-1": "no_boost"}


def test_export_keeps_the_exact_spec_columns_after_the_experiment_column(
    store_url: str, tmp_path: Path
) -> None:
    with FeedbackStore.open(store_url) as store:
        store.start_session(
            parse_answers({}),
            triage_level="none",
            model_version="rules-only",
            policy="ranked",
            experiment="no_model",
        )
        export_feedback(store, tmp_path / "out")
    header = (tmp_path / "out" / "sessions.csv").read_text().splitlines()[0]
    # SPEC section 5 (revision 3 adds client); the experiment arm stays inside the store.
    assert header == "session_id,created_at,answers,triage_level,model_version,policy,client"
