"""Shopper stories for the guidance placements and the answers-led reasons of SPEC section 2
revision 3 (NICE NG59 completed, NICE NG226, weaker bones, fresh injuries, products and reasons
that follow from the answers) and the result fields of section 4 revision 3."""

from __future__ import annotations

import pytest

from recommender.shop.shopping import score_lines
from recommender.shopper.result import Result

KNEE_BRACES = {"knee_brace_hinged", "knee_brace_unloader"}


def categories(result: Result, top: int = 3) -> set[str]:
    return {item.category for item in result.items[:top]}


def advice_ids(result: Result) -> list[str]:
    return [advice.rule for advice in result.advice]


# --- NICE NG226: long-standing knee pain from 50, or osteoarthritis --------------------------

# A 58-year-old with inner-knee pain for months: the picture the review found unloaders at #1-2.
LONG_STANDING_INNER_KNEE = {
    "pain_areas": ["knee"],
    "knee_pain_site": "inside",
    "pain_started": "over_12_weeks",
    "activities": ["walking"],
}


@pytest.mark.parametrize("age", ["50_54", "55_64", "50_64", "65_plus"])
def test_long_standing_inner_knee_pain_from_50_keeps_braces_out_of_the_top_3(shop, age):
    result = shop(k=10, age_band=age, **LONG_STANDING_INNER_KNEE)
    assert not categories(result) & KNEE_BRACES
    braces = [item for item in result.items if item.category in KNEE_BRACES]
    assert braces, "braces are still offered, lower down"
    for item in braces:
        assert any("NICE NG226" in caution for caution in item.cautions)
        assert "osteoarthritis" not in " ".join(item.cautions)  # never a diagnosis


def test_the_same_knee_at_49_is_not_held_by_ng226(shop):
    result = shop(k=10, age_band="16_49", **LONG_STANDING_INNER_KNEE)
    assert "knee_brace_unloader" in categories(result)
    assert all(item.score_parts.guidance == 0 for item in result.items)
    assert not any("NG226" in c for item in result.items for c in item.cautions)


def test_osteoarthritis_a_clinician_named_holds_braces_back_at_any_age(shop):
    result = shop(k=10, age_band="16_49", conditions=["osteoarthritis"], **LONG_STANDING_INNER_KNEE)
    assert not categories(result) & KNEE_BRACES
    assert advice_ids(result)[0] == "exercise_first_knee"


def test_a_knee_that_gives_way_is_ng226s_exception(shop):
    result = shop(k=10, age_band="65_plus", symptoms=["knee_gives_way"], **LONG_STANDING_INNER_KNEE)
    assert categories(result) & KNEE_BRACES
    for item in result.items:
        assert item.score_parts.guidance == 0
        if item.category in KNEE_BRACES:  # the caution still says a brace is not routine
            assert any("NICE NG226" in caution for caution in item.cautions)


def test_ng226_advice_puts_exercise_first_and_weight_next_with_a_high_body_mass(shop):
    result = shop(age_band="55_64", height_cm=165, weight_kg=100, **LONG_STANDING_INNER_KNEE)
    assert advice_ids(result)[:2] == ["exercise_first_knee", "weight_eases_knees"]
    assert "healthy_weight" not in advice_ids(result)  # weight is said once
    assert "exercise comes first" in result.advice[0].text


# --- the guidance score part ------------------------------------------------------------------


def test_a_brace_moved_down_by_ng226_shows_why_in_its_score(shop):
    result = shop(k=10, age_band="65_plus", **LONG_STANDING_INNER_KNEE)
    moved = [item for item in result.items if item.score_parts.guidance < 0]
    assert moved and {item.category for item in moved} <= KNEE_BRACES
    third = result.items[2]
    for item in moved:
        assert item.score_parts.guidance_by == "ng226_top3"
        assert item.score < third.score  # it sits lower because its score is lower
        printed = next(i for i in result.to_json_dict()["items"] if i["sku"] == item.sku)
        assert printed["score_parts"]["guidance"] < 0
        assert printed["score"] == pytest.approx(sum(printed["score_parts"].values()))
        lines = {line.label: line for line in score_lines(item)}
        assert "NICE NG226" in lines["Health guidance"].meaning
        assert "below the first three" in lines["Health guidance"].meaning
    scores = [item.score for item in result.items]
    assert scores == sorted(scores, reverse=True)


def test_a_product_no_guidance_moved_prints_no_guidance_part(shop):
    printed = shop(pain_areas=["knee"]).to_json_dict()["items"]
    assert all(set(item["score_parts"]) == {"rules", "model", "boost"} for item in printed)


def test_an_insole_moved_down_by_ng59_names_ng59_in_why_this_order(shop):
    result = shop(
        k=10, pain_areas=["lower_back"], habits=["worn_or_flat_shoes"], feet_roll_inward="yes"
    )
    insoles = [item for item in result.items if item.category == "orthotic_insole"]
    assert insoles and not categories(result) & {"orthotic_insole", "back_brace", "si_belt"}
    moved = [item for item in insoles if item.score_parts.guidance < 0]
    assert moved
    for item in moved:
        assert item.score_parts.guidance_by == "ng59_top3"
        assert "NICE NG59" in score_lines(item)[-1].meaning


# --- NICE NG59 completed ------------------------------------------------------------------------


def test_insoles_shown_for_back_pain_alone_carry_the_ng59_caution(shop):
    result = shop(k=10, pain_areas=["lower_back"], habits=["worn_or_flat_shoes"])
    insoles = [item for item in result.items if item.category == "orthotic_insole"]
    assert insoles
    for item in insoles:
        assert any("NICE NG59" in c and "insoles" in c for c in item.cautions)


def test_insoles_with_foot_pain_too_carry_no_ng59_caution(shop):
    result = shop(k=10, pain_areas=["lower_back", "foot"], habits=["worn_or_flat_shoes"])
    insoles = [item for item in result.items if item.category == "orthotic_insole"]
    assert insoles
    assert not any("NICE NG59" in c for item in insoles for c in item.cautions)


def test_body_weight_and_back_pain_alone_offer_no_insole(shop):
    result = shop(k=20, pain_areas=["lower_back"], height_cm=165, weight_kg=110)
    assert "orthotic_insole" not in {item.category for item in result.items}


# --- weaker bones, fresh injuries -----------------------------------------------------------


@pytest.mark.parametrize("risk", ["osteoporosis", "long_term_steroids"])
def test_yoga_with_weaker_bones_never_suggests_boat_pose(shop, risk):
    result = shop(
        pain_areas=["hip"], activities=["yoga"], symptoms=["tight_hips"], risk_factors=[risk]
    )
    texts = [a.text for a in result.advice] + [
        r.text for item in result.items for r in item.reasons
    ]
    assert "osteoporosis_no_loaded_bending" in advice_ids(result)
    assert "yoga_for_psoas" not in advice_ids(result)
    suggested = [t for t in texts if "boat pose" in t and "leave out boat pose" not in t]
    assert not suggested


@pytest.mark.parametrize("injury", ["recent_knee_injury", "recent_fall"])
def test_a_fresh_knee_injury_means_protect_and_rest_not_stretching_before_workouts(shop, injury):
    result = shop(
        pain_areas=["knee"],
        age_band="16_49",
        activities=["running"],
        symptoms=["tight_hamstrings"],
        risk_factors=[injury],
    )
    assert "protect_fresh_injury" in advice_ids(result)
    assert not {"stretch_before_workouts", "hamstring_stretches"} & set(advice_ids(result))
    assert "rest" in next(a.text for a in result.advice if a.rule == "protect_fresh_injury")


# --- products and reasons that follow from the answers -------------------------------------


def test_no_bunions_means_no_bunion_corrector_or_toe_spacer(shop):
    result = shop(k=20, pain_areas=["foot"], bunions="none", habits=["high_heels"])
    assert "bunion_corrector" not in {item.category for item in result.items}
    with_bunions = shop(k=20, pain_areas=["foot"], bunions="left", habits=["high_heels"])
    assert "bunion_corrector" in {item.category for item in with_bunions.items}


def test_reasons_about_sparing_the_knees_sit_only_on_knee_products(shop):
    result = shop(k=20, pain_areas=["knee", "lower_back"], activities=["running", "walking"])
    for item in result.items:
        words = " ".join(reason.text for reason in item.reasons)
        if "off the knees" in words:
            assert item.category.startswith("knee_"), item.category


def test_cards_of_one_kind_never_repeat_each_others_more_reasons(shop):
    result = shop(k=10, pain_areas=["knee"], symptoms=["shooting_leg_pain"])
    more = [reason.text for item in result.items for reason in item.reasons[1:]]
    assert len(more) == len(set(more))
    for item in result.items:
        assert item.reasons  # each still says why it is shown


def test_cushions_cite_sitting_and_posture_never_the_sciatic_nerve_section(shop):
    result = shop(k=20, pain_areas=["back_of_leg"], symptoms=["shooting_leg_pain"], sitting_hours=8)
    cushions = [item for item in result.items if item.category == "lumbar_cushion"]
    assert cushions
    for item in cushions:
        assert "Effects of Sciatic Inflammation" not in {r.section for r in item.reasons}


# --- SPEC section 4 revision 3 ---------------------------------------------------------------


def test_each_item_carries_its_picture_shop_page_and_currency(shop):
    printed = shop(pain_areas=["knee"]).to_json_dict()["items"]
    for item in printed:
        assert item["image"] == f"images/{item['sku']}.png"
        assert item["url"] == f"https://shop.example/products/{item['sku'].lower()}"
        assert item["currency"] == "GBP"
