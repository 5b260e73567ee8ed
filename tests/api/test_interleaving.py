"""API traffic joins the interleaving test exactly as the finder's sessions do.

A candidate named with `recommender models interleave ID` is picked up by a running API without
a restart; an interleave-arm session records its arm and the team behind every product shown;
and a candidate can never put a held-back product or, for low-back pain alone, a brace, belt or
insole in the top places.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace

import pytest

from recommender.api.state import Serving, get_serving
from recommender.feedback import read_events, read_experiments, read_picks
from recommender.merchandising.experiments import CONTROL, INTERLEAVE
from recommender.model.interleave_candidate import InterleaveCandidate, set_candidate
from recommender.shopper.guidance import KEPT_OUT_OF_TOP, NG59_CATEGORIES
from tests.interleaving.conftest import LovesUnsafeProducts, set_knob

# Slow: each test trains a candidate model first.
pytestmark = pytest.mark.slow

ANSWERS = {"pain_areas": ["knee", "lower_back"], "activities": ["walking"], "sitting_hours": 8}


def recommend_many(client, count, answers=ANSWERS, k=5):
    replies = [
        client.post("/v1/recommendations", json={"answers": answers, "k": k}) for _ in range(count)
    ]
    assert all(reply.status_code == 200 for reply in replies), replies[0].text
    return [reply.json() for reply in replies]


@pytest.fixture
def candidate_id(api_settings, trained_registry):
    """A trained model in the registry (nothing promoted), and half of sessions interleaved."""
    folder, model_id = trained_registry
    shutil.copytree(folder, api_settings.models_dir)
    set_knob(api_settings, "interleave_share", "0.5")
    return model_id


def test_api_sessions_join_the_interleaving_test_with_their_arm_and_teams(
    client, store, api_settings, candidate_id
):
    set_candidate(api_settings.models_dir, candidate_id)

    shown = recommend_many(client, 40)

    arms = dict(read_experiments(store).itertuples(index=False))
    counted = Counter(arms[result["session_id"]] for result in shown)
    assert counted[INTERLEAVE] == pytest.approx(20, abs=11)
    assert counted[CONTROL] == 40 - counted[INTERLEAVE]
    picks = read_picks(store)
    events = read_events(store)
    assert set(picks["session_id"]) == {s for s, arm in arms.items() if arm == INTERLEAVE}
    for result in shown:
        rows = picks.loc[picks["session_id"] == result["session_id"]]
        if arms[result["session_id"]] == CONTROL:
            assert rows.empty
            continue
        # The shop sees the interleaved list, and each product's team is on record.
        assert list(rows["sku"]) == [item["sku"] for item in result["items"]]
        assert set(rows["candidate_model"]) == {candidate_id}
        assert abs(Counter(rows["team"])["candidate"] - Counter(rows["team"])["served"]) <= 1
        logged = events.loc[events["session_id"] == result["session_id"], "propensity"]
        assert len(logged) == len(result["items"]) and logged.between(0, 1, "right").all()


def test_naming_and_stopping_a_candidate_take_effect_without_a_restart(
    client, store, api_settings, candidate_id
):
    before = recommend_many(client, 12)
    set_candidate(api_settings.models_dir, candidate_id)
    during = recommend_many(client, 30)
    set_candidate(api_settings.models_dir, None)
    after = recommend_many(client, 12)

    interleaved = set(read_picks(store)["session_id"])
    assert not interleaved & {s["session_id"] for s in before + after}
    assert interleaved and interleaved <= {s["session_id"] for s in during}
    assert INTERLEAVE not in {
        arm for s, arm in read_experiments(store).itertuples(index=False) if s not in interleaved
    }


@pytest.fixture
def hostile_candidate(client):
    """Every session interleaves a candidate that ranks compression and magnetic products first."""
    served = client.app.state.worker.serving()
    weights = replace(served.engine.weights, blend_model=0.5, interleave_share=1.0)
    engine = replace(served.engine, weights=weights)
    candidate = InterleaveCandidate.build(engine, LovesUnsafeProducts())
    client.app.dependency_overrides[get_serving] = lambda: Serving(served.key, engine, candidate)
    return engine


def test_an_interleaved_candidate_cannot_show_a_product_held_back_for_safety(
    client, store, hostile_candidate
):
    answers = {**ANSWERS, "conditions": ["poor_circulation", "implanted_device"]}

    shown = recommend_many(client, 15, answers)

    products = hostile_candidate.catalog.products.set_index("sku")
    risky = set(products.index[products["compression"] | products["magnetic"]])
    assert len(set(read_picks(store)["session_id"])) == 15  # all of them interleaved
    for result in shown:
        assert not {item["sku"] for item in result["items"]} & risky


def test_an_interleaved_list_for_low_back_pain_alone_keeps_braces_belts_and_insoles_low(
    client, store, hostile_candidate
):
    shown = recommend_many(client, 15, {"pain_areas": ["lower_back"], "sitting_hours": 9})

    assert len(set(read_picks(store)["session_id"])) == 15
    for result in shown:
        top = [item["category"] for item in result["items"][:KEPT_OUT_OF_TOP]]
        assert not set(top) & set(NG59_CATEGORIES)
