"""The app's write API: what gets stored, what is refused, and that nothing stored is lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from recommender.errors import InputError, StoreError
from recommender.feedback import (
    EVENT_COLUMNS,
    MIGRATIONS,
    SESSION_COLUMNS,
    Event,
    FeedbackStore,
    Impression,
    purge,
    read_events,
    read_sessions,
)
from recommender.shopper.answers import Answers, parse_answers

KNEE = parse_answers(
    {"pain_areas": ["knee"], "height_cm": 180, "weight_kg": 75, "age_band": "50_64"}
)
T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def new_session(store: FeedbackStore, **kwargs: object) -> str:
    defaults: dict[str, object] = {
        "triage_level": "none",
        "model_version": "rules-only",
        "policy": "ranked",
    }
    return store.start_session(KNEE, **{**defaults, **kwargs})  # type: ignore[arg-type]


def raw_rows(store: FeedbackStore, table: str) -> list[tuple]:
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(f"SELECT * FROM {table}")]


def test_session_keeps_answers_without_raw_height_or_weight(store: FeedbackStore) -> None:
    session_id = new_session(store)
    stored_text = " ".join(str(value) for row in raw_rows(store, "sessions") for value in row)
    assert "height_cm" not in stored_text and "weight_kg" not in stored_text
    (answers_text,) = (row[2] for row in raw_rows(store, "sessions"))
    assert json.loads(answers_text) == {
        "schema_version": 1,
        "age_band": "50_64",
        "pain_areas": ["knee"],
        "body_mass_band": "typical",
    }
    sessions = read_sessions(store)
    assert list(sessions.columns) == [*SESSION_COLUMNS, "client"]
    assert sessions.loc[0, "session_id"] == session_id
    answers = sessions.loc[0, "answers"]
    assert isinstance(answers, Answers)
    assert answers.body_mass_band == "typical" and answers.pain_areas == {"knee"}


def test_impressions_and_outcomes_are_stored_with_propensities(store: FeedbackStore) -> None:
    session_id = new_session(store, policy="explore")
    shown = [Impression("KN-1", 1, 0.5), Impression("KN-2", 2, 0.5)]
    assert store.log_impressions(session_id, shown, ts=T0) == 2
    store.log_outcome(
        session_id, sku="KN-2", position=2, event="click", ts=T0 + timedelta(seconds=1)
    )
    events = read_events(store)
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert events["event"].tolist() == ["impression", "impression", "click"]
    # The click inherits the propensity of the impression it follows.
    assert events["propensity"].tolist() == [0.5, 0.5, 0.5]
    assert str(events["ts"].dtype) == "datetime64[us, UTC]"
    assert events["ts"].iloc[0] == pd.Timestamp(T0)


def test_unknown_propensity_reads_back_as_missing(store: FeedbackStore) -> None:
    session_id = new_session(store)
    store.log_events([Event(session_id, T0, "KN-1", 3, "purchase", None)])
    assert read_events(store)["propensity"].isna().tolist() == [True]


def test_repeating_a_write_adds_nothing(store: FeedbackStore) -> None:
    session_id = new_session(store)
    batch = [Event(session_id, T0, "KN-1", 1, "impression", 1.0)]
    assert store.log_events(batch) == 1
    assert store.log_events(batch) == 0
    assert store.counts()["events"] == 1


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"event": "viewed"}, "event"),
        ({"position": 0}, "position"),
        ({"propensity": 0.0}, "propensity"),
        ({"propensity": 1.5}, "propensity"),
        ({"sku": ""}, "sku"),
        ({"ts": datetime(2025, 3, 1, 10, 0)}, "ts"),
    ],
)
def test_bad_event_is_refused_by_name_and_the_batch_is_not_written(
    store: FeedbackStore, change: dict, column: str
) -> None:
    session_id = new_session(store)
    good = {"session_id": session_id, "ts": T0, "sku": "KN-1", "position": 1, "event": "click"}
    with pytest.raises(InputError, match=f"'{column}'"):
        store.log_events([Event(**good), Event(**{**good, "position": 2, **change})])
    assert store.counts()["events"] == 0


def test_failed_write_keeps_earlier_data(store: FeedbackStore) -> None:
    session_id = new_session(store)
    store.log_impressions(session_id, [Impression("KN-1", 1, 1.0)], ts=T0)
    batch = [
        Event(session_id, T0, "KN-2", 2, "impression", 1.0),
        Event("no-such-session", T0, "KN-3", 1, "impression", 1.0),
    ]
    with pytest.raises(InputError, match="no-such-session"):
        store.log_events(batch)
    assert store.counts() == {"sessions": 1, "events": 1}


def test_bad_session_values_are_refused(store: FeedbackStore) -> None:
    with pytest.raises(InputError, match="'policy'"):
        new_session(store, policy="random")
    with pytest.raises(InputError, match="'triage_level'"):
        new_session(store, triage_level="mild")
    assert store.counts()["sessions"] == 0


def test_outcome_must_not_be_an_impression(store: FeedbackStore) -> None:
    session_id = new_session(store)
    with pytest.raises(InputError, match="'event'"):
        store.log_outcome(session_id, sku="KN-1", position=1, event="impression")


def test_database_failure_is_a_store_error(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("these are not the droids\n" * 200)
    with pytest.raises(StoreError, match="could not"):
        FeedbackStore.open(f"sqlite:///{not_a_database}")


def test_unreachable_server_is_a_store_error() -> None:
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    with pytest.raises(StoreError):
        FeedbackStore.open("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_chunked_reads_cover_every_row_in_order(store: FeedbackStore) -> None:
    session_id = new_session(store)
    shown = [Impression(f"KN-{n}", n, 0.1) for n in range(1, 11)]
    store.log_impressions(session_id, shown, ts=T0)
    chunks = list(read_events(store, chunksize=4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    whole = pd.concat(chunks, ignore_index=True)
    assert whole["position"].tolist() == list(range(1, 11))
    assert all(str(c["ts"].dtype) == "datetime64[us, UTC]" for c in chunks)


def test_purge_deletes_old_sessions_with_their_events_and_keeps_recent(
    store: FeedbackStore,
) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    old = new_session(store, created_at=now - timedelta(days=40))
    recent = new_session(store, created_at=now - timedelta(days=5))
    store.log_impressions(old, [Impression("KN-1", 1, 1.0)], ts=now - timedelta(days=40))
    store.log_impressions(recent, [Impression("KN-1", 1, 1.0)], ts=now - timedelta(days=5))
    report = purge(store, 30, now=now)
    assert (report.sessions, report.events) == (1, 1)
    assert read_sessions(store)["session_id"].tolist() == [recent]
    assert read_events(store)["session_id"].tolist() == [recent]


def test_purge_refuses_a_non_positive_age(store: FeedbackStore) -> None:
    with pytest.raises(InputError, match="--older-than"):
        purge(store, 0)


def test_store_schema_is_created_once_and_reopening_keeps_rows(store_url: str) -> None:
    with FeedbackStore.open(store_url) as first:
        new_session(first)
    with FeedbackStore.open(store_url) as again:
        assert again.counts()["sessions"] == 1
        with again.engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version FROM feedback_schema_version"))
            assert sorted(v for (v,) in versions) == [m.version for m in MIGRATIONS]


def test_an_explored_result_is_stored_with_its_policy_and_propensities(
    store: FeedbackStore,
) -> None:
    import numpy as np

    from recommender.feedback.policy import explore, position_chances
    from recommender.shopper.result import Item, Result, ScoreParts, Triage

    items = tuple(
        Item(n, f"KN-{n}", "sleeve", "knee_sleeve", 30.0, 0.5, (), (), ScoreParts(0.5, 0, 0))
        for n in range(1, 5)
    )
    result = Result(Triage("none", (), ""), items, (), (), (), model_version="m-7")
    shown = explore(result, np.random.default_rng(2))
    session_id = store.record_shown(KNEE, shown)
    session = read_sessions(store).iloc[0]
    assert (session["session_id"], session["policy"], session["model_version"]) == (
        session_id,
        "explore",
        "m-7",
    )
    events = read_events(store)
    assert events["sku"].tolist() == [item.sku for item in shown.result.items]
    assert events["position"].tolist() == [1, 2, 3, 4]
    # Each logged propensity is the policy's exact chance of that product at that position.
    served = {item.sku: rank for rank, item in enumerate(items)}
    chances = position_chances(len(items))
    expected = [chances[served[sku], place] for place, sku in enumerate(events["sku"])]
    assert events["propensity"].tolist() == pytest.approx(expected)
    assert all(0 < chance <= 1 for chance in expected)


def test_an_unusable_sqlite_folder_is_a_store_error(tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreError, match="cannot create the store's folder"):
        FeedbackStore.open(f"sqlite:///{blocker / 'sub' / 'store.db'}")


def test_sqlite_store_lets_readers_and_writers_share_the_file(tmp_path: Path) -> None:
    # WAL: an analyst's read never blocks the app; the busy timeout makes writers queue.
    with (
        FeedbackStore.open(f"sqlite:///{tmp_path / 'feedback.db'}") as store,
        store.engine.connect() as conn,
    ):
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5_000


def test_an_app_event_repeated_with_another_propensity_is_refused_not_dropped(
    store: FeedbackStore,
) -> None:
    session = store.start_session(
        parse_answers({"pain_areas": ["knee"]}),
        triage_level="none",
        model_version="rules-only",
        policy="explore",
    )
    when = datetime(2025, 3, 1, 10, tzinfo=UTC)
    shown = Event(session, when, "KN-101", 2, "impression", 0.25)
    assert store.log_events([shown]) == 1
    assert store.log_events([shown]) == 0  # a retry of the same write is harmless
    other = Event(session, when, "KN-101", 2, "impression", 0.5)
    new = Event(session, when, "KN-102", 3, "impression", 0.5)
    with pytest.raises(InputError, match=r"already stored with propensity 0\.25, not 0\.5"):
        store.log_events([new, other])
    assert read_events(store)["propensity"].tolist() == [0.25]  # all or nothing
