"""An interleaved list obeys every rule an ordinary list does, for any answers and any candidate."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.model.interleave_candidate import InterleaveCandidate
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from recommender.shopper.guidance import KEPT_OUT_OF_TOP, NG59_CATEGORIES, back_pain_only
from tests.hostile_rankers import LovesBracesAndBelts
from tests.interleaving.conftest import LovesUnsafeProducts, ScoresByName
from tests.strategies import raw_answers

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNSAFE_WITH = ("poor_circulation", "implanted_device")  # rule out compression and magnets


@FAST
@given(
    raw=raw_answers(),
    hostile=st.booleans(),
    cap=st.integers(1, 3),
    k=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_an_interleaved_list_keeps_safety_stock_budget_and_the_category_cap(
    engine, raw, hostile, cap, k, seed
):
    if hostile:
        conditions = sorted({*raw.get("conditions", []), *UNSAFE_WITH})
        raw = {**raw, "conditions": conditions}
    answers = parse_answers(raw)
    weights = replace(engine.weights, blend_model=0.8, max_per_category=cap)
    served = build_engine(engine.catalog, weights)
    candidate = InterleaveCandidate.build(
        served, LovesUnsafeProducts() if hostile else ScoresByName()
    )

    eligible = served.recommend(answers, MAX_K)
    shown, pick = candidate.present(answers, eligible, np.random.default_rng(seed), k)
    items = shown.result.items

    normal = served.recommend(answers, k)
    if not normal.items:
        assert not items  # a red flag or an empty list stays that way
    assert len(items) == min(k, len(eligible.items))
    assert [item.rank for item in items] == list(range(1, len(items) + 1))
    assert len({item.sku for item in items}) == len(items)
    assert {item.sku for item in items} <= {item.sku for item in eligible.items}
    assert max(Counter(item.category for item in items).values(), default=0) <= cap
    products = engine.catalog.products.set_index("sku")
    assert all(products.loc[item.sku, "in_stock"] for item in items)
    if answers.budget_max is not None:
        assert all(item.price <= answers.budget_max for item in items)
    held_back = {e.sku for e in eligible.excluded}
    assert not {item.sku for item in items} & held_back
    if hostile:
        unsafe = set(products.index[products["compression"] | products["magnetic"]])
        assert not {item.sku for item in items} & unsafe
    assert shown.result.excluded == normal.excluded  # the same products are held back, same why
    assert pick.skus == tuple(item.sku for item in items)
    if back_pain_only(answers):  # NICE NG59: no brace, belt or insole in the top places
        assert not [i for i in items[:KEPT_OUT_OF_TOP] if i.category in NG59_CATEGORIES]
    assert len(shown.propensities) == len(items)


def test_a_red_flag_shows_nothing_whichever_team_picks(engine):
    answers = parse_answers({"red_flags": ["bladder_bowel_change"]})
    weights = replace(engine.weights, blend_model=0.8)
    served = build_engine(engine.catalog, weights)
    candidate = InterleaveCandidate.build(served, LovesUnsafeProducts())
    shown, pick = candidate.present(
        answers, served.recommend(answers, MAX_K), np.random.default_rng(0), 5
    )
    assert shown.result.items == () and pick.skus == ()
    assert shown.result.triage.level != "none"


@FAST
@given(
    raw=raw_answers(red_flags=False),
    leg=st.booleans(),
    k=st.integers(3, 8),
    seed=st.integers(0, 2**32 - 1),
)
def test_for_low_back_pain_alone_interleaving_keeps_braces_and_belts_out_of_the_top(
    engine, raw, leg, k, seed
):
    answers = parse_answers({**raw, "pain_areas": ["lower_back", "back_of_leg"][: 1 + leg]})
    served = build_engine(engine.catalog, replace(engine.weights, blend_model=1.0))
    candidate = InterleaveCandidate.build(served, LovesBracesAndBelts())

    eligible = served.recommend(answers, MAX_K)
    shown, _ = candidate.present(answers, eligible, np.random.default_rng(seed), k)

    top = shown.result.items[:KEPT_OUT_OF_TOP]
    assert not [item.sku for item in top if item.category in NG59_CATEGORIES]
