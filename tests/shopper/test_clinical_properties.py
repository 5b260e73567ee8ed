"""Properties over generated answers (the whole schema, new fields included) for what a
clinician reading a result would check: red flags and risk combinations reach their level,
cautions hold, NICE NG59 holds whatever the weights, boosts or model, reasons are true of
their product, cards differ, and messages fit what the page shows."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.shopper.answers import CHOICES, parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from recommender.shopper.kinds import wrong_kinds
from tests.spec_safety import spec_level
from tests.strategies import raw_answers

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Answers made more likely to hit the new rows: risk factors and age are drawn for every shopper.
risky_answers = st.tuples(
    raw_answers(),
    st.lists(
        st.sampled_from(
            [
                "osteoporosis",
                "long_term_steroids",
                "weakened_immunity",
                "injects_drugs",
                "recent_fall",
                "recent_knee_injury",
            ]
        ),
        unique=True,
    ),
    st.sampled_from(CHOICES["age_band"]),
).map(lambda parts: {**parts[0], "risk_factors": parts[1], "age_band": parts[2]})


@FAST
@given(raw=risky_answers)
def test_red_flags_and_risk_combinations_reach_exactly_their_spec_level(engine, raw):
    result = engine.recommend(parse_answers(raw), 5)
    assert result.triage.level == spec_level(raw)
    if result.triage.level in ("urgent", "emergency") or raw.get("age_band") == "under_16":
        assert result.items == ()


@FAST
@given(raw=raw_answers())
def test_messages_fit_what_the_page_shows_and_stay_short(engine, raw):
    result = engine.recommend(parse_answers(raw), 5)
    message = result.triage.message
    assert len(message) <= 500, message
    if not result.items:
        assert "below" not in message and "may still" not in message
    if result.triage.level != "none":
        assert "Nothing in your answers needs a clinician" not in message
    if result.triage.level == "emergency":
        assert "999" in message
    if "calf_swelling" in raw.get("red_flags", []):
        # At emergency level the message already says to call 999 now.
        assert "999" in message
        assert "chest pain" in message or result.triage.level == "emergency"


@FAST
@given(raw=raw_answers())
def test_no_heat_or_cold_product_where_it_is_held_back(engine, raw):
    numb = {"numbness_one_leg"} & set(raw.get("symptoms", []))
    numb |= {"saddle_numbness", "both_legs_weak_or_numb", "numbness_getting_worse"} & set(
        raw.get("red_flags", [])
    )
    risky_skin = numb or {"diabetes", "poor_circulation"} & set(raw.get("conditions", []))
    result = engine.recommend(parse_answers(raw), MAX_K)
    products = engine.catalog.products.set_index("sku")
    for item in result.items:
        if risky_skin:
            assert not products.loc[item.sku, "heat"], item.sku
            assert not products.loc[item.sku, "cold"], item.sku


@FAST
@given(raw=raw_answers(red_flags=False))
def test_every_brace_or_belt_shown_with_low_back_pain_carries_the_guidance(engine, raw):
    areas = sorted({*raw.get("pain_areas", []), "lower_back"})
    result = engine.recommend(parse_answers({**raw, "pain_areas": areas}), MAX_K)
    for item in result.items:
        if item.category in ("back_brace", "si_belt"):
            assert any("NICE NG59" in caution for caution in item.cautions), item.sku
    if result.advice:
        assert result.advice[0].rule == "stay_active_back"


@FAST
@given(raw=raw_answers())
def test_no_reason_names_a_kind_of_product_that_the_item_is_not(engine, raw):
    result = engine.recommend(parse_answers(raw), MAX_K)
    for item in result.items:
        for reason in item.reasons:
            assert not wrong_kinds(reason.text, item.category), (item.category, reason.text)


@FAST
@given(raw=raw_answers(), weights_cap=st.integers(1, 10))
def test_no_two_items_in_a_result_share_a_reason_list(engine, raw, weights_cap):
    tuned = build_engine(engine.catalog, replace(engine.weights, max_per_category=weights_cap))
    result = tuned.recommend(parse_answers(raw), MAX_K)
    lists = [tuple(reason.text for reason in item.reasons) for item in result.items]
    assert len(lists) == len(set(lists))
    firsts = [item.reasons[0].text for item in result.items]
    assert len(firsts) == len(set(firsts))


@FAST
@given(raw=raw_answers())
def test_every_magnetic_product_says_there_is_no_good_evidence_magnets_ease_pain(engine, raw):
    result = engine.recommend(parse_answers(raw), MAX_K)
    magnetic = set(engine.catalog.products.query("magnetic")["sku"])
    for item in result.items:
        if item.sku in magnetic:
            assert any("no good evidence" in caution for caution in item.cautions)


@FAST
@given(raw=raw_answers())
def test_pregnancy_gets_no_weight_loss_advice_and_no_boat_pose(engine, raw):
    conditions = sorted({*raw.get("conditions", []), "pregnancy"})
    result = engine.recommend(parse_answers({**raw, "conditions": conditions}), MAX_K)
    words = [a.text for a in result.advice]
    words += [reason.text for item in result.items for reason in item.reasons]
    suggested_boat = [w for w in words if "boat pose" in w and "leave out boat pose" not in w]
    assert not suggested_boat
    assert not any("losing some weight" in w for w in words)
    heat = set(engine.catalog.products.query("heat")["sku"])
    trunk = {"back_brace", "si_belt", "posture_corrector"}
    for item in result.items:
        if item.sku in heat:
            assert any("pregnancy" in caution for caution in item.cautions)
        if item.category in trunk:
            assert any("midwife" in caution for caution in item.cautions)
