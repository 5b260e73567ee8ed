"""Which client made each session (SPEC section 5, revision 3): kept by an older store when it is
upgraded, carried through export and import, and left out of training on request."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from recommender.feedback import (
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    FeedbackStore,
    export_feedback,
    import_feedback,
    read_sessions,
)
from recommender.feedback.csvio import FeedbackImportError
from recommender.feedback.engine import create_store_engine
from recommender.feedback.migrations import MIGRATIONS, migrate
from tests.feedback.feedback_csv import event_row, session_row, write_csv
from training.dataset import load_feedback

WITH_CLIENT = (*SESSION_COLUMNS, "client")


def test_a_store_from_before_revision_3_reads_its_sessions_as_the_finders(store_url):
    engine = create_store_engine(store_url)
    migrate(engine, MIGRATIONS[:5])  # the store as the last release left it
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sessions (session_id, created_at, answers, triage_level, "
                "model_version, policy) VALUES ('old-1', :created, :answers, 'none', "
                "'rules-only', 'ranked')"
            ),
            {"created": datetime(2025, 3, 1, 10, tzinfo=UTC), "answers": '{"schema_version":1}'},
        )
    engine.dispose()

    with FeedbackStore.open(store_url) as upgraded:
        sessions = read_sessions(upgraded)

    assert list(sessions["session_id"]) == ["old-1"]
    assert list(sessions["client"]) == ["finder"]


def test_the_client_travels_through_export_and_import(store, tmp_path, store_url):
    sessions = write_csv(
        tmp_path / "sessions.csv",
        WITH_CLIENT,
        [[*session_row("s-shop"), "checkout"], [*session_row("s-bot"), "public"]],
    )
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [event_row("s-shop")])
    import_feedback(store, sessions, events)

    export_feedback(store, tmp_path / "out")

    with (tmp_path / "out" / "sessions.csv").open(newline="", encoding="utf-8") as exported:
        rows = list(csv.DictReader(exported))
    assert {row["session_id"]: row["client"] for row in rows} == {
        "s-shop": "checkout",
        "s-bot": "public",
    }


def test_an_import_without_the_column_reads_the_finder(store, tmp_path):
    sessions = write_csv(tmp_path / "sessions.csv", SESSION_COLUMNS, [session_row("s0")])
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [event_row("s0")])

    import_feedback(store, sessions, events)

    assert list(read_sessions(store)["client"]) == ["finder"]


@pytest.mark.parametrize("client", ["=HYPERLINK(1)", "x" * 65])
def test_a_bad_client_is_refused_by_row_and_column(store, tmp_path, client):
    sessions = write_csv(tmp_path / "sessions.csv", WITH_CLIENT, [[*session_row("s0"), client]])
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [event_row("s0")])

    with pytest.raises(FeedbackImportError, match="row 2, column 'client'"):
        import_feedback(store, sessions, events)
    assert read_sessions(store).empty


def test_training_can_leave_out_a_bots_sessions(store, tmp_path):
    sessions = write_csv(
        tmp_path / "sessions.csv",
        WITH_CLIENT,
        [[*session_row("shopper"), "finder"], [*session_row("crawler"), "key-1a2b3c4d"]],
    )
    events = write_csv(
        tmp_path / "events.csv",
        EVENT_COLUMNS,
        [event_row("shopper"), event_row("crawler"), event_row("crawler", 2)],
    )
    import_feedback(store, sessions, events)

    kept, kept_events = load_feedback(store, exclude_clients=("key-1a2b3c4d",))
    everything, all_events = load_feedback(store)

    assert list(kept["session_id"]) == ["shopper"]
    assert set(kept_events["session_id"]) == {"shopper"}
    assert len(everything) == 2 and len(all_events) == 3
