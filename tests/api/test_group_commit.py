"""The API's group commit of shown results: many shoppers at once, each stored or refused alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from recommender.errors import InputError, StoreError
from recommender.feedback import read_events
from recommender.feedback.policy import ranked
from recommender.feedback.shown import ShownWriter
from recommender.shopper.answers import parse_answers

ANSWERS = parse_answers({"pain_areas": ["knee"], "activities": ["running"]})


@pytest.fixture
def writer(store):
    opened = ShownWriter(store)
    yield opened
    opened.close()


def test_shoppers_shown_at_once_are_all_stored_and_a_reused_id_refuses_only_its_caller(
    writer, store, engine
):
    shown = ranked(engine.recommend(ANSWERS, 5), 5)
    writer.record_shown(ANSWERS, shown, session_id="shop-taken")

    def record(number: int) -> str:
        session_id = "shop-taken" if number == 7 else f"shop-{number}"
        return writer.record_shown(ANSWERS, shown, session_id=session_id, experiment="control")

    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(record, number) for number in range(40)]
    outcomes = [f.exception() or f.result() for f in futures]

    assert isinstance(outcomes[7], InputError) and "shop-taken" in str(outcomes[7])
    stored = [o for o in outcomes if isinstance(o, str)]
    assert sorted(stored) == sorted(f"shop-{n}" for n in range(40) if n != 7)
    impressions = read_events(store).query("event == 'impression'")
    assert impressions.groupby("session_id").size().to_dict() == {
        session: 5 for session in [*stored, "shop-taken"]
    }


def test_a_store_that_fails_fails_every_waiting_caller_and_the_writer_goes_on(
    writer, store, engine, monkeypatch
):
    shown = ranked(engine.recommend(ANSWERS, 5), 5)

    def broken(*_args, **_kwargs):
        raise StoreError("database is down")

    monkeypatch.setattr(store, "write", broken)
    with pytest.raises(StoreError):
        writer.record_shown(ANSWERS, shown)
    monkeypatch.undo()

    assert writer.record_shown(ANSWERS, shown, session_id="after-the-outage") == "after-the-outage"


def test_a_caller_is_refused_rather_than_left_waiting_when_the_writer_has_stopped(store, engine):
    stopped = ShownWriter(store)
    stopped.close()  # the thread is gone, as if it had died
    with pytest.raises(StoreError, match="writer has stopped"):
        stopped.record_shown(ANSWERS, ranked(engine.recommend(ANSWERS, 5), 5))
