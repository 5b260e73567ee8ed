"""Properties of the coverage gaps closed in issue 19, over the full answer schema: no weight,
boost, blend or hostile model shows heat after a fresh injury, shows a product with numbness
after an injury, brings a hip support into the top 3 with hip osteoarthritis, or takes NICE
NG226's caution off a knee or hip support."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.catalog.weights import BOOST_RANGE
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K
from recommender.shopper.guidance import NG226_HIP_CATEGORIES
from tests.hostile_rankers import NG226_SUPPORT_CATEGORIES, LovesHeatAndSupports
from tests.shopper.test_guidance_properties import tuned_engine
from tests.strategies import raw_answers

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INJURIES = st.lists(st.sampled_from(["recent_fall", "recent_knee_injury"]), min_size=1, unique=True)
NUMBNESS = st.sampled_from(["numbness_one_leg", "numb_feet"])
KNEE_SUPPORTS = ("knee_sleeve", "knee_strap", "orthotic_insole")
tuning = {
    "boost": st.floats(*BOOST_RANGE),
    "blend": st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
    "cap": st.integers(1, 10),
    "use_model": st.booleans(),
}


def hostile(engine, boost, blend, cap, use_model):
    """The engine with every heat product and NG226 support boosted, and maybe a model that
    loves them."""
    model = LovesHeatAndSupports() if use_model else None
    products = engine.catalog.products
    heat = set(products.loc[products["heat"], "category"])
    return tuned_engine(engine, (*NG226_SUPPORT_CATEGORIES, *heat), boost, blend, cap, model)


def added(raw: dict, field: str, values) -> dict:
    return {**raw, field: sorted({*raw.get(field, []), *values})}


@FAST
@given(
    raw=raw_answers(red_flags=False),  # a red flag shows nothing, so it could not tell
    injuries=INJURIES,
    area=st.sampled_from(["lower_back", "knee", "foot"]),  # areas the heat products are for
    **tuning,
)
def test_no_heat_product_is_shown_after_a_recent_injury_or_fall_whatever_the_tuning(
    engine, raw, injuries, area, boost, blend, cap, use_model
):
    tuned = hostile(engine, boost, blend, cap, use_model)
    answers = added(added(raw, "risk_factors", injuries), "pain_areas", [area])
    result = tuned.recommend(parse_answers(answers), MAX_K)
    heat = set(engine.catalog.products.loc[engine.catalog.products["heat"], "sku"])
    assert not {item.sku for item in result.items} & heat


@FAST
@given(raw=raw_answers(), injuries=INJURIES, numbness=NUMBNESS, **tuning)
def test_numbness_after_an_injury_is_seen_today_with_no_products_whatever_the_tuning(
    engine, raw, injuries, numbness, boost, blend, cap, use_model
):
    answers = added(added(raw, "risk_factors", injuries), "symptoms", [numbness])
    result = hostile(engine, boost, blend, cap, use_model).recommend(parse_answers(answers), MAX_K)
    assert result.triage.level in ("urgent", "emergency")
    assert result.items == ()


@FAST
@given(raw=raw_answers(red_flags=False), hip_side=st.sampled_from(["hip", "upper_thigh"]), **tuning)
def test_hip_osteoarthritis_keeps_hip_supports_out_of_the_top_3_and_cautioned_whatever_the_tuning(
    engine, raw, hip_side, boost, blend, cap, use_model
):
    answers = added(added(raw, "conditions", ["osteoarthritis"]), "pain_areas", [hip_side])
    result = hostile(engine, boost, blend, cap, use_model).recommend(parse_answers(answers), MAX_K)
    assert not [i.sku for i in result.items[:3] if i.category in NG226_HIP_CATEGORIES]
    for item in result.items:
        if item.category in NG226_HIP_CATEGORIES:
            assert any("NICE NG226" in caution for caution in item.cautions), item.sku


@FAST
@given(raw=raw_answers(red_flags=False), **tuning)
def test_knee_osteoarthritis_cautions_every_knee_support_and_insole_whatever_the_tuning(
    engine, raw, boost, blend, cap, use_model
):
    answers = added(added(raw, "conditions", ["osteoarthritis"]), "pain_areas", ["knee"])
    result = hostile(engine, boost, blend, cap, use_model).recommend(parse_answers(answers), MAX_K)
    for item in result.items:
        if item.category in KNEE_SUPPORTS:
            assert any("NICE NG226" in caution for caution in item.cautions), item.sku
            assert "osteoarthritis" not in " ".join(item.cautions)


@FAST
@given(raw=raw_answers(red_flags=False))
def test_osteoarthritis_with_hip_pain_alone_never_moves_or_cautions_a_knee_brace(engine, raw):
    answers = {
        **added(raw, "conditions", ["osteoarthritis"]),
        "pain_areas": ["hip"],
        "pain_started": "6_to_12_weeks",
    }
    for item in engine.recommend(parse_answers(answers), MAX_K).items:
        if item.category in ("knee_brace_hinged", "knee_brace_unloader"):
            assert item.score_parts.guidance_by == ""
            assert not any("NICE NG226" in caution for caution in item.cautions)


@FAST
@given(raw=raw_answers())
def test_a_calm_banner_with_numb_feet_or_back_pain_in_pregnancy_says_who_to_see(engine, raw):
    answers = parse_answers(raw)
    result = engine.recommend(answers, 5)
    if result.triage.level != "none":
        return
    message = result.triage.message
    if "numb_feet" in answers.symptoms:  # with diabetes the level is see_clinician (NG19)
        assert "in both feet is worth showing to your GP" in message
    back_or_pelvis = answers.pain_areas & {"lower_back", "hip", "upper_thigh"}
    if "pregnancy" in answers.conditions and back_or_pelvis:
        assert "midwife or maternity unit" in message
