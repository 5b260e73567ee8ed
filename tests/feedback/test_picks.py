"""Interleaved sessions' picks are stored with their session, on every backend, and go with it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recommender.errors import InputError
from recommender.feedback import TeamPicks, export_feedback, purge, read_picks, read_sessions
from recommender.feedback import columns as col
from recommender.feedback.policy import ranked
from recommender.feedback.reads import read_picked_outcomes
from recommender.feedback.records import utc_now
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import load_engine
from tests.conftest import CATALOG_DIR


@pytest.fixture(scope="module")
def shown():
    answers = parse_answers({"pain_areas": ["knee"], "bunions": "both"})
    return answers, ranked(load_engine(CATALOG_DIR).recommend(answers, 3))


def test_picks_are_stored_with_the_session_and_read_back_in_order(store, shown):
    answers, presentation = shown
    teams = ("candidate", "served", "candidate")
    session = store.record_shown(
        answers, presentation, experiment="interleave", picks=TeamPicks("m-1", teams)
    )

    picks = read_picks(store)
    assert list(picks.columns) == ["session_id", "position", "sku", "team", "candidate_model"]
    assert picks["session_id"].eq(session).all()
    assert list(picks["position"]) == [1, 2, 3]
    assert list(picks["sku"]) == [item.sku for item in presentation.result.items]
    assert list(picks["team"]) == list(teams)


def test_a_bad_team_is_refused_and_nothing_of_the_session_is_stored(store, shown):
    answers, presentation = shown
    with pytest.raises(InputError, match="team"):
        store.record_shown(answers, presentation, picks=TeamPicks("m-1", ("mine",) * 3))
    assert read_sessions(store).empty and read_picks(store).empty


def test_purging_a_session_removes_its_picks_and_the_csv_columns_stay_as_spec(
    store, shown, tmp_path
):
    answers, presentation = shown
    store.record_shown(
        answers, presentation, picks=TeamPicks("m-1", ("served", "candidate", "served"))
    )
    export_feedback(store, tmp_path)
    header = (tmp_path / "sessions.csv").read_text().splitlines()[0]
    assert header.split(",") == list(col.SESSION_FILE_COLUMNS)

    purge(store, older_than_days=1, now=utc_now() + timedelta(days=2))

    assert read_picks(store).empty


def test_a_report_reads_only_the_outcomes_of_interleaved_sessions(store, shown):
    answers, presentation = shown
    first = presentation.result.items[0]
    plain = store.record_shown(answers, presentation)
    mixed = store.record_shown(
        answers, presentation, picks=TeamPicks("m-1", ("served", "candidate", "served"))
    )
    for session in (plain, mixed):
        store.log_outcome(session, sku=first.sku, position=1, event="click")
        store.log_outcome(session, sku=first.sku, position=1, event="helpful")

    outcomes = read_picked_outcomes(store, ["click", "add_to_cart", "purchase"])

    assert outcomes.to_dict("records") == [
        {"session_id": mixed, "sku": first.sku, "event": "click"}
    ]
