"""Properties of the NICE placements (SPEC section 2 revision 3) over generated answers: no
weight, boost, blend or hostile model brings a guidance-held product into the top 3 or takes its
caution away; every result is in score order with parts that add up; and the reasons, advice and
products follow from the answers."""

from __future__ import annotations

from itertools import pairwise
from types import MappingProxyType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.catalog.weights import BOOST_RANGE, Weights
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from recommender.shopper.features import answer_features
from recommender.shopper.guidance import NG59_CATEGORIES, NG226_CATEGORIES
from recommender.shopper.rules import load_rule_book
from tests.hostile_rankers import LovesBracesAndBelts, LovesKneeBraces
from tests.strategies import raw_answers

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FROM_50 = ["50_54", "55_64", "50_64", "65_plus"]
RULES = {rule.id: rule for rule in load_rule_book().rules}
# Answers that alone never make an insole the right product (NICE NG59).
BACK_OR_WEIGHT = {"pain:lower_back", "pain:back_of_leg", "body_mass:high", "body_mass:raised"}


def tuned_engine(engine, held, boost, blend, cap, model):
    products = engine.catalog.products
    skus = set(products.loc[products["category"].isin(held), "sku"])
    weights = Weights(
        blend_rules=blend[0],
        blend_model=blend[1],
        blend_boost=blend[2],
        max_per_category=cap,
        boosts=MappingProxyType(dict.fromkeys(skus, boost)),
    )
    return build_engine(engine.catalog, weights, model)


def long_standing_knee_pain(raw: dict, osteoarthritis: bool, age: str) -> dict:
    """`raw` made into NICE NG226's picture: osteoarthritis, or knee pain over 12 weeks from 50,
    with a knee that does not give way."""
    symptoms = [s for s in raw.get("symptoms", []) if s != "knee_gives_way"]
    picture = {
        **raw,
        "symptoms": symptoms,
        "pain_areas": sorted({*raw.get("pain_areas", []), "knee"}),
    }
    if osteoarthritis:
        return {**picture, "conditions": sorted({*raw.get("conditions", []), "osteoarthritis"})}
    return {**picture, "pain_started": "over_12_weeks", "age_band": age}


tuning = {
    "boost": st.floats(*BOOST_RANGE),
    "blend": st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
    "cap": st.integers(1, 10),
    "use_model": st.booleans(),
}


@FAST
@given(raw=raw_answers(red_flags=False), with_leg=st.booleans(), **tuning)
def test_no_ng59_category_in_the_top_3_for_low_back_pain_alone_whatever_the_tuning(
    engine, raw, with_leg, boost, blend, cap, use_model
):
    areas = ["lower_back", "back_of_leg"] if with_leg else ["lower_back"]
    model = LovesBracesAndBelts() if use_model else None
    tuned = tuned_engine(engine, NG59_CATEGORIES, boost, blend, cap, model)
    result = tuned.recommend(parse_answers({**raw, "pain_areas": areas}), MAX_K)
    assert not [item.sku for item in result.items[:3] if item.category in NG59_CATEGORIES]
    for item in result.items:  # braces, belts and (revision 3) insoles alike
        if item.category in NG59_CATEGORIES:
            assert any("NICE NG59" in caution for caution in item.cautions), item.sku


@FAST
@given(
    raw=raw_answers(red_flags=False),
    osteoarthritis=st.booleans(),
    age=st.sampled_from(FROM_50),
    **tuning,
)
def test_no_ng226_brace_in_the_top_3_and_every_knee_brace_cautioned_whatever_the_tuning(
    engine, raw, osteoarthritis, age, boost, blend, cap, use_model
):
    model = LovesKneeBraces() if use_model else None
    tuned = tuned_engine(engine, NG226_CATEGORIES, boost, blend, cap, model)
    result = tuned.recommend(
        parse_answers(long_standing_knee_pain(raw, osteoarthritis, age)), MAX_K
    )
    assert not [item.sku for item in result.items[:3] if item.category in NG226_CATEGORIES]
    for item in result.items:
        if item.category in NG226_CATEGORIES:
            assert any("NICE NG226" in caution for caution in item.cautions), item.sku


@FAST
@given(raw=raw_answers(), **tuning)
def test_every_result_is_in_score_order_and_its_parts_add_up_whatever_the_tuning(
    engine, raw, boost, blend, cap, use_model
):
    model = LovesBracesAndBelts() if use_model else None
    held = (*NG59_CATEGORIES, *NG226_CATEGORIES)
    tuned = tuned_engine(engine, held, boost, blend, cap, model)
    result = tuned.recommend(parse_answers(raw), MAX_K)
    scores = [item.score for item in result.items]
    assert all(a >= b - 1e-9 for a, b in pairwise(scores))
    for item in result.items:
        parts = item.score_parts
        assert abs(parts.total - item.score) < 1e-9
        assert parts.guidance <= 0
        assert (parts.guidance < 0) == bool(parts.guidance_by), item.sku
    printed = result.to_json_dict()["items"]
    for item in printed:
        assert abs(sum(item["score_parts"].values()) - item["score"]) < 1e-9
    assert all(a["score"] >= b["score"] - 2e-6 for a, b in pairwise(printed))


@FAST
@given(raw=raw_answers(red_flags=False), with_leg=st.booleans())
def test_every_insole_shown_for_back_pain_alone_carries_ng59_and_a_reason_from_the_feet(
    engine, raw, with_leg
):
    areas = ["lower_back", "back_of_leg"] if with_leg else ["lower_back"]
    answers = parse_answers({**raw, "pain_areas": areas})
    features = answer_features(answers)
    for item in engine.recommend(answers, MAX_K).items:
        if item.category != "orthotic_insole":
            continue
        assert any("NICE NG59" in caution for caution in item.cautions), item.sku
        for reason in item.reasons[1:]:
            told = set(RULES[reason.rule].condition.evidence(features))
            assert told - BACK_OR_WEIGHT, (item.sku, reason.text)


@FAST
@given(raw=raw_answers())
def test_no_two_cards_share_a_more_reasons_line_and_no_bunion_corrector_without_bunions(
    engine, raw
):
    result = engine.recommend(parse_answers(raw), MAX_K)
    lines = [reason.text for item in result.items for reason in item.reasons[1:]]
    assert len(lines) == len(set(lines))
    if raw.get("bunions") == "none":
        assert "bunion_corrector" not in {item.category for item in result.items}


@FAST
@given(raw=raw_answers(), risk=st.sampled_from(["osteoporosis", "long_term_steroids"]))
def test_with_weaker_bones_nothing_suggests_bending_the_spine_under_load(engine, raw, risk):
    risks = sorted({*raw.get("risk_factors", []), risk})
    result = engine.recommend(parse_answers({**raw, "risk_factors": risks}), MAX_K)
    words = [a.text for a in result.advice]
    words += [reason.text for item in result.items for reason in item.reasons]
    for text in words:
        if any(move in text for move in ("boat pose", "sit-ups", "toe touches")):
            assert "leave out" in text, text


@FAST
@given(raw=raw_answers(), injury=st.sampled_from(["recent_knee_injury", "recent_fall"]))
def test_a_fresh_injury_gets_protect_and_rest_never_workout_or_stretching_advice(
    engine, raw, injury
):
    risks = sorted({*raw.get("risk_factors", []), injury})
    result = engine.recommend(parse_answers({**raw, "risk_factors": risks}), MAX_K)
    if not result.advice:  # a safety stop shows no advice at all
        return
    assert "protect_fresh_injury" in {a.rule for a in result.advice}
    for advice in result.advice:
        if advice.rule != "protect_fresh_injury":
            assert "stretch" not in advice.text and "workout" not in advice.text, advice.rule
