"""Shopper stories for the coverage gaps issue 19's table found and the answers we already ask
close (docs/explanation/coverage.md): heat in the first days after an injury, numbness after an
injury, NICE NG226 for the joint that hurts, numb feet without diabetes, and back pain in
pregnancy. Each names the source its rule rests on."""

from __future__ import annotations

from recommender.shop.shopping import score_lines
from recommender.shopper.result import Result

HEAT = {"HC-131", "HC-133", "BB-503"}  # the catalog's heat pack, heat pad and heated back wrap
KNEE_BRACES = {"knee_brace_hinged", "knee_brace_unloader"}


def held_back(result: Result) -> dict[str, str]:
    return {excluded.sku: excluded.why for excluded in result.excluded}


def ng226_cautioned(item) -> bool:
    return any("NICE NG226" in caution for caution in item.cautions)


# --- heat in the first days after an injury (NHS: sprains and strains) ----------------------


def test_a_shopper_who_twisted_her_knee_this_week_is_not_offered_a_heat_wrap(shop):
    result = shop(
        k=20,
        age_band="16_49",
        pain_areas=["knee", "lower_back"],
        risk_factors=["recent_knee_injury"],
        symptoms=["muscle_spasms"],  # the article's answer that brings hot/cold therapy forward
    )
    assert not {item.sku for item in result.items} & HEAT
    assert all("first 2 to 3 days" in held_back(result)[sku] for sku in HEAT)
    protect = next(a for a in result.advice if a.rule == "protect_fresh_injury")
    assert "heat packs" in protect.text


def test_a_shopper_who_fell_and_hurt_his_back_is_offered_ice_but_not_heat(shop):
    result = shop(k=20, age_band="16_49", pain_areas=["lower_back"], risk_factors=["recent_fall"])
    shown = {item.sku for item in result.items}
    assert not shown & HEAT
    assert "HC-134" in shown  # the ice packs: NHS suggests ice for those days


def test_without_an_injury_the_heat_pad_is_still_offered_for_back_spasms(shop):
    result = shop(k=20, age_band="16_49", pain_areas=["lower_back"], symptoms=["muscle_spasms"])
    assert {item.sku for item in result.items} & HEAT


# --- numbness after an injury (NHS: sprains and strains; NHS: hip pain) ----------------------


def test_a_runner_whose_leg_went_numb_after_a_fall_is_told_to_be_seen_today(shop):
    result = shop(
        age_band="16_49",
        pain_areas=["knee"],
        risk_factors=["recent_fall"],
        symptoms=["numbness_one_leg"],
        activities=["running"],
    )
    assert result.triage.level == "urgent"
    assert result.items == ()
    message = result.triage.message
    assert "today" in message and "A&E" in message  # cold, pale or out of shape: go now
    assert "a recent fall" in message  # "You told us about ...", never a diagnosis


def test_a_knee_injury_with_tingling_feet_is_checked_today_too(shop):
    result = shop(
        age_band="16_49",
        pain_areas=["foot"],
        risk_factors=["recent_knee_injury"],
        symptoms=["numb_feet"],
    )
    assert result.triage.level == "urgent"
    assert "numbness_after_injury" in result.triage.flags


# --- NICE NG226 follows the joint that hurts -------------------------------------------------


def test_osteoarthritis_in_the_hip_moves_hip_supports_down_and_leaves_knee_braces_alone(shop):
    result = shop(k=20, age_band="65_plus", pain_areas=["hip"], conditions=["osteoarthritis"])
    hips = [item for item in result.items if item.category in ("hip_support", "si_belt")]
    assert hips, "hip supports and belts are still shown, below the first three"
    assert not [item for item in result.items[:3] if item.category in ("hip_support", "si_belt")]
    for item in hips:
        assert ng226_cautioned(item) and "hip" in " ".join(item.cautions)
        assert item.score_parts.guidance_by in ("", "ng226_hip_top3")
    for item in result.items:
        if item.category in KNEE_BRACES:
            assert not ng226_cautioned(item) and item.score_parts.guidance_by == ""
    exercise = next(a for a in result.advice if a.rule == "exercise_first_hip")
    assert "hip support" in exercise.text and "knee brace" not in exercise.text
    assert "exercise_first_knee" not in [a.rule for a in result.advice]


def test_a_hip_support_moved_down_by_ng226_says_why_in_its_score(shop):
    result = shop(k=20, age_band="65_plus", pain_areas=["hip"], conditions=["osteoarthritis"])
    moved = [i for i in result.items if i.score_parts.guidance_by == "ng226_hip_top3"]
    assert moved, "the catalog's hip supports outscore the stretch aids for hip pain"
    lines = {line.label: line for line in score_lines(moved[0])}
    assert "NICE NG226" in lines["Health guidance"].meaning
    assert "hip" in lines["Health guidance"].meaning


def test_long_standing_knee_pain_from_50_puts_a_caution_on_sleeves_straps_and_insoles(shop):
    result = shop(
        k=25,
        age_band="55_64",
        pain_areas=["knee", "foot"],
        pain_started="over_12_weeks",
        feet_roll_inward="yes",
    )
    supports = [i for i in result.items if i.category in ("knee_sleeve", "knee_strap")]
    insoles = [i for i in result.items if i.category == "orthotic_insole"]
    assert supports and insoles
    for item in (*supports, *insoles):
        assert ng226_cautioned(item), item.sku
        assert "osteoarthritis" not in " ".join(item.cautions)  # never a diagnosis


def test_knee_and_hip_osteoarthritis_hold_both_joints_supports(shop):
    result = shop(
        k=25, age_band="65_plus", pain_areas=["knee", "hip"], conditions=["osteoarthritis"]
    )
    held = KNEE_BRACES | {"hip_support", "si_belt"}
    assert not {item.category for item in result.items[:3]} & held
    for item in result.items:
        if item.category in held | {"knee_sleeve", "knee_strap"}:
            assert ng226_cautioned(item), item.sku


def test_a_knee_that_gives_way_lifts_the_knee_placement_but_not_the_hip_one(shop):
    result = shop(
        k=25,
        age_band="65_plus",
        pain_areas=["knee", "hip"],
        conditions=["osteoarthritis"],
        symptoms=["knee_gives_way"],
    )
    moved = {item.score_parts.guidance_by for item in result.items}
    assert "ng226_top3" not in moved
    assert not [item for item in result.items[:3] if item.category in ("hip_support", "si_belt")]


# --- numb feet without diabetes (NHS: peripheral neuropathy) --------------------------------


def test_a_walker_with_tingling_feet_is_told_to_show_them_to_a_gp(shop):
    result = shop(pain_areas=["foot"], symptoms=["numb_feet"], activities=["walking"])
    assert result.triage.level == "none"  # SPEC: not a warning sign on its own
    assert "worth showing to your GP" in result.triage.message
    assert result.items


# --- back pain in pregnancy (maternity units: when to call the midwife) ---------------------


def test_a_pregnant_shopper_with_back_pain_is_told_when_to_call_her_midwife(shop):
    result = shop(pain_areas=["lower_back"], conditions=["pregnancy"], age_band="16_49")
    message = result.triage.message
    assert result.triage.level == "none"
    assert "midwife or maternity unit" in message and "bleeding" in message
    assert result.items


def test_back_pain_without_a_pregnancy_gets_no_maternity_line(shop):
    result = shop(pain_areas=["lower_back"], age_band="16_49")
    assert "midwife" not in result.triage.message
