"""The shopper page's services: logging what is shown and done, and the wording on cards."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.errors import StoreError
from recommender.feedback import FeedbackStore, read_events, read_sessions
from recommender.feedback.policy import position_chances
from recommender.feedback.schema import sessions
from recommender.settings import DEFAULT_EXPLORE_TOP_N
from recommender.shop.questionnaire import empty_draft
from recommender.shop.shopping import (
    FEEDBACK_NOT_SAVED,
    SHARED_LINK_NOTE,
    FeedbackLog,
    apply_change,
    change_label,
    engine_key,
    find_products,
    held_back,
    order_note,
    safety_stop,
    share_note,
    shopper_notes,
)
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, Engine
from recommender.shopper.result import Suggestion
from tests.strategies import raw_answers

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
KNEE_AND_BACK = empty_draft() | {"pain_areas": ["knee", "lower_back"], "bunions": "both"}


def _broken_store() -> FeedbackStore:
    raise StoreError("could not save the session: disk I/O error")


def _recorded_arms(store: FeedbackStore) -> list[str | None]:
    # The arm is kept beside the SPEC columns, so it is read from the table itself.
    with store.engine.connect() as conn:
        return list(conn.scalars(sa.select(sessions.c.experiment)))


def _find(engine: Engine, draft: dict, log: FeedbackLog, explore_share: float = 0.0):
    rng = np.random.default_rng(7)
    return find_products(engine, draft, log, explore_share=explore_share, rng=rng)


def test_a_shown_list_is_logged_as_impressions_by_position(engine, store) -> None:
    shown = _find(engine, KNEE_AND_BACK, FeedbackLog(lambda: store))
    events = read_events(store)
    assert shown.session_id and shown.note is None and shown.policy == "ranked"
    assert list(events["sku"]) == [item.sku for item in shown.result.items]
    assert list(events["position"]) == list(range(1, len(shown.result.items) + 1))
    assert set(events["propensity"]) == {1.0}
    assert read_sessions(store)["policy"].tolist() == ["ranked"]


def test_an_explored_list_logs_its_shown_order_and_propensities(engine, store) -> None:
    shown = _find(engine, KNEE_AND_BACK, FeedbackLog(lambda: store), explore_share=1.0)
    events = read_events(store)
    eligible = engine.recommend(shown.answers, MAX_K).items
    top_n = eligible[:DEFAULT_EXPLORE_TOP_N]
    assert shown.policy == "explore" and len(eligible) > len(top_n) > len(shown.result.items) == 5
    # Only the served ranking's best 10 are reordered: never a product further down.
    assert {item.sku for item in shown.result.items} <= {item.sku for item in top_n}
    assert list(events["sku"]) == [item.sku for item in shown.result.items]
    # Each logged chance is that product's exact chance of that position.
    served_rank = {item.sku: item.rank - 1 for item in top_n}
    table = position_chances(len(top_n))
    expected = [table[served_rank[i.sku], i.rank - 1] for i in shown.result.items]
    assert events["propensity"].tolist() == pytest.approx(expected)
    # The cards and "why this order" say the order is a shuffle among the best matches.
    assert not any("closest match" in r.text for i in shown.result.items for r in i.reasons)
    assert "shuffled among the best matches" in order_note(shown, shown.result.items[0])
    assert "usual order" in share_note(shown) and "shuffled" in share_note(shown)


def test_a_ranked_list_says_a_higher_total_comes_first(engine, store) -> None:
    shown = _find(engine, KNEE_AND_BACK, FeedbackLog(lambda: store))
    assert order_note(shown, shown.result.items[0]).endswith("a higher total comes first.")
    assert "closest match" in shown.result.items[0].reasons[0].text
    assert share_note(shown) == SHARED_LINK_NOTE


def test_low_back_pain_alone_is_never_explored_so_ng59_holds_on_the_page(engine, store) -> None:
    back_only = empty_draft() | {"pain_areas": ["lower_back"]}
    shown = _find(engine, back_only, FeedbackLog(lambda: store), explore_share=1.0)
    assert shown.policy == "ranked"
    top = {item.category for item in shown.result.items[:3]}
    assert not top & {"back_brace", "si_belt", "orthotic_insole"}


def test_an_outcome_is_logged_against_its_card(engine, store) -> None:
    log = FeedbackLog(lambda: store)
    shown = _find(engine, KNEE_AND_BACK, log)
    second = shown.result.items[1]
    assert log.record_event(shown.session_id, second, "add_to_cart") is None
    events = read_events(store)
    added = events[events["event"] == "add_to_cart"]
    assert added[["sku", "position"]].values.tolist() == [[second.sku, 2]]


def test_a_broken_store_gives_a_note_and_the_results_anyway(engine) -> None:
    log = FeedbackLog(_broken_store)
    shown = _find(engine, KNEE_AND_BACK, log)
    assert shown.result.items
    assert shown.session_id is None and shown.note == FEEDBACK_NOT_SAVED
    assert log.record_event(None, shown.result.items[0], "helpful") == FEEDBACK_NOT_SAVED


def test_an_unknown_event_is_refused(engine, store) -> None:
    shown = _find(engine, KNEE_AND_BACK, FeedbackLog(lambda: store))
    with pytest.raises(ValueError, match="purchase"):
        FeedbackLog(lambda: store).record_event(shown.session_id, shown.result.items[0], "purchase")


def test_a_red_flag_stops_before_the_rest_is_asked(engine, store) -> None:
    draft = empty_draft() | {"red_flags": ["cold_pale_foot"]}
    assert safety_stop(engine, draft).level == "emergency"
    assert safety_stop(engine, empty_draft() | {"red_flags": ["night_pain"]}) is None
    shown = _find(engine, draft, FeedbackLog(lambda: store))
    assert shown.stopped and not shown.result.items
    assert read_sessions(store)["triage_level"].tolist() == ["emergency"]


@settings(max_examples=150, deadline=None)
@given(draft=raw_answers(), explore_share=st.sampled_from([0.0, 1.0]))
def test_a_shown_list_is_a_safety_stop_exactly_when_the_screen_alone_says_so(
    engine, draft, explore_share
) -> None:
    shown = _find(engine, draft, FeedbackLog(_broken_store), explore_share)

    screen = engine.screen(parse_answers(draft))
    assert shown.stopped == (not screen.shows_products)
    assert not (shown.stopped and shown.result.items)


def test_a_budget_suggestion_is_one_click_away(engine) -> None:
    log = FeedbackLog(_broken_store)
    poor = _find(engine, KNEE_AND_BACK | {"budget_max": 2.0}, log)
    suggestion = poor.result.suggestions[0]
    assert change_label(suggestion).startswith("Set my budget to ")
    richer = _find(engine, apply_change(KNEE_AND_BACK | {"budget_max": 2.0}, suggestion), log)
    assert richer.result.items
    assert change_label(Suggestion("Tell us more")) is None


def test_held_back_products_are_named_with_the_reason_in_order(engine) -> None:
    answers = parse_answers(
        {"pain_areas": ["knee", "lower_back"], "conditions": ["poor_circulation"], "budget_max": 30}
    )
    excluded = engine.recommend(answers).excluded
    rows = held_back(excluded, engine)
    names = dict(zip(engine.catalog.products["sku"], engine.catalog.products["name"], strict=True))
    assert [row.name for row in rows] == [names[e.sku] for e in excluded]
    assert rows[0].why.startswith("With diabetes or poor circulation")
    assert rows[-1].why.endswith("is over your budget of £30.00")


def test_engine_key_changes_when_the_weights_file_changes(tmp_path: Path) -> None:
    for name in ("products.csv", "weights.toml"):
        (tmp_path / name).write_bytes((CATALOG / name).read_bytes())
    before = engine_key(tmp_path, tmp_path / "models")
    assert engine_key(tmp_path, tmp_path / "models") == before
    stat = (tmp_path / "weights.toml").stat()
    os.utime(tmp_path / "weights.toml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert engine_key(tmp_path, tmp_path / "models") != before


def test_engine_key_changes_when_a_model_is_promoted(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    before = engine_key(CATALOG, models)
    (models / "registry.json").write_text('{"promoted": "m1", "history": []}')
    assert engine_key(CATALOG, models) != before


def test_an_experiment_arm_is_recorded_and_served(engine, store) -> None:
    everyone_without_boosts = dataclasses.replace(
        engine, weights=dataclasses.replace(engine.weights, no_boost_share=0.5, no_model_share=0.5)
    )
    shown = _find(everyone_without_boosts, KNEE_AND_BACK, FeedbackLog(lambda: store))
    [arm] = _recorded_arms(store)
    assert arm in ("no_boost", "no_model")
    if arm == "no_boost":
        assert all(item.score_parts.boost == 0 for item in shown.result.items)


def test_without_an_experiment_no_arm_is_recorded(engine, store) -> None:
    _find(engine, KNEE_AND_BACK, FeedbackLog(lambda: store))
    assert _recorded_arms(store) == [None]


def test_a_refused_model_reaches_the_shopper_as_a_plain_note_without_file_details(engine) -> None:
    refused = "model 'm1': sha256 of /srv/models/m1/model.joblib does not match its card"
    paused = dataclasses.replace(engine, notices=(refused,))
    result = paused.recommend(parse_answers({"pain_areas": ["knee"]}), 5)
    notes = shopper_notes(result, None)
    assert len(notes) == 1 and "rules" in notes[0]
    assert not any(word in notes[0] for word in ("sha256", "joblib", "m1"))
    assert shopper_notes(engine.recommend(parse_answers({"pain_areas": ["knee"]}), 5), None) == ()


def test_why_this_order_leaves_out_shopper_feedback_until_there_is_any(engine) -> None:
    from recommender.shop.shopping import score_lines

    item = engine.recommend(parse_answers({"pain_areas": ["knee"]}), 1).items[0]
    assert item.score_parts.model == 0  # rules-only: no feedback has been learned from
    assert [line.label for line in score_lines(item)] == ["Your answers", "Shop boost"]
    learned = dataclasses.replace(
        item, score_parts=dataclasses.replace(item.score_parts, model=0.12)
    )
    assert "Shopper feedback" in [line.label for line in score_lines(learned)]
