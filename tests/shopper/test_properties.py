"""Properties over generated answers: the engine never crashes, never explains badly, and no
weight or boost can undo the safety screen."""

from __future__ import annotations

import math
from dataclasses import replace
from types import MappingProxyType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.catalog.weights import BOOST_RANGE, Weights
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from recommender.shopper.features import answer_features
from recommender.shopper.guidance import back_pain_only
from recommender.shopper.safety import load_safety_book
from recommender.shopper.sections import SECTIONS
from tests.strategies import raw_answers

BLOCKING_FLAGS = [
    rule.condition.when[0].split(":", 1)[1]
    for rule in load_safety_book().triage_rules
    if rule.level in ("emergency", "urgent") and rule.condition.when[0].startswith("red_flag:")
]
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(raw=raw_answers())
def test_any_valid_answers_give_a_well_formed_result(engine, raw):
    answers = parse_answers(raw)
    result = engine.recommend(answers, 5)
    assert result.triage.level in ("none", "see_clinician", "urgent", "emergency")
    assert len(result.items) <= 5
    assert [item.rank for item in result.items] == list(range(1, len(result.items) + 1))
    scores = [item.score for item in result.items]
    assert all(math.isfinite(s) for s in scores)
    # NG59 keeps some categories out of the top 3 for low back pain alone: each part of the
    # list is still in score order.
    parts = [scores[:3], scores[3:]] if back_pain_only(answers) else [scores]
    assert all(part == sorted(part, reverse=True) for part in parts)
    for item in result.items:
        assert item.reasons, f"{item.sku} has no reason"
        assert all(reason.section in SECTIONS for reason in item.reasons)
        assert math.isclose(item.score, item.score_parts.total, abs_tol=1e-9)
    assert all(advice.section in SECTIONS for advice in result.advice)


@FAST
@given(raw=raw_answers())
def test_held_back_products_are_never_shown(engine, raw):
    result = engine.recommend(parse_answers(raw), 10)
    shown = {item.sku for item in result.items}
    assert not shown & {entry.sku for entry in result.excluded}
    budget = raw.get("budget_max")
    assert all(item.price <= budget for item in result.items) if budget else True


weights_strategy = st.builds(
    Weights,
    blend_rules=st.floats(0, 1),
    blend_model=st.floats(0, 1),
    blend_boost=st.floats(0, 1),
    max_per_category=st.integers(1, 10),
)


@FAST
@given(
    raw=raw_answers(),
    flag=st.sampled_from(BLOCKING_FLAGS),
    weights=weights_strategy,
    boost=st.floats(*BOOST_RANGE),
)
def test_an_emergency_or_urgent_flag_always_means_no_products_whatever_the_weights(
    engine, raw, flag, weights, boost
):
    boosts = MappingProxyType(dict.fromkeys(engine.catalog.skus, boost))
    tuned = build_engine(engine.catalog, replace(weights, boosts=boosts))
    flags = sorted({*raw.get("red_flags", []), flag})
    result = tuned.recommend(parse_answers({**raw, "red_flags": flags}), 10)
    assert result.triage.level in ("urgent", "emergency")
    assert result.items == ()


@FAST
@given(raw=raw_answers(), boost=st.floats(*BOOST_RANGE), weights=weights_strategy)
def test_boosts_never_bring_back_a_product_a_caution_holds_back(engine, raw, boost, weights):
    conditions = sorted(set(raw.get("conditions", [])) | {"poor_circulation", "implanted_device"})
    boosts = MappingProxyType(dict.fromkeys(engine.catalog.skus, boost))
    tuned = build_engine(engine.catalog, replace(weights, boosts=boosts))
    result = tuned.recommend(parse_answers({**raw, "conditions": conditions}), 50)
    products = engine.catalog.products
    unsafe = set(products.loc[products["compression"] | products["magnetic"], "sku"])
    assert not {item.sku for item in result.items} & unsafe


@FAST
@given(
    raw=raw_answers(red_flags=False),
    sku_index=st.integers(0, 46),
    low=st.floats(-1, 1),
    high=st.floats(-1, 1),
)
def test_raising_a_products_boost_never_lowers_its_rank(engine, raw, sku_index, low, high):
    low, high = sorted((low, high))
    sku = engine.catalog.skus[sku_index % len(engine.catalog.skus)]
    answers = parse_answers(raw)

    def rank_with(boost: float) -> int | None:
        weights = replace(engine.weights, boosts=MappingProxyType({sku: boost}))
        items = build_engine(engine.catalog, weights).recommend(answers, 50).items
        return next((item.rank for item in items if item.sku == sku), None)

    before, after = rank_with(low), rank_with(high)
    if before is not None:
        assert after is not None and after <= before


@FAST
@given(raw=raw_answers())
def test_features_never_come_from_a_not_sure_answer(raw):
    features = answer_features(parse_answers(raw))
    assert not any(feature.endswith(":not_sure") for feature in features)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=raw_answers(), k=st.integers(min_value=1, max_value=MAX_K))
def test_ranking_without_words_shows_the_same_products_in_the_same_order(engine, raw, k):
    # Simulations and evaluations use `rank`; what they judge must be what shoppers see.
    answers = parse_answers(raw)
    shown, ranked = engine.recommend(answers, k), engine.rank(answers, k)

    assert [(i.sku, i.score) for i in ranked.items] == [(i.sku, i.score) for i in shown.items]
    assert ranked.triage == shown.triage
