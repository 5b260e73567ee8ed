"""Shopper stories: what a shopper who answers this way sees, end to end through the engine."""

from __future__ import annotations

from recommender.catalog.products import load_catalog
from recommender.shopper.result import Result
from tests.conftest import CATALOG_DIR

PRODUCTS = load_catalog(CATALOG_DIR).products.set_index("sku")


def categories(result: Result, top: int = 5) -> list[str]:
    return [item.category for item in result.items[:top]]


def skus_where(column: str) -> set[str]:
    return set(PRODUCTS.index[PRODUCTS[column]])


def rule_ids(result: Result) -> set[str]:
    return {reason.rule for item in result.items for reason in item.reasons}


def advice_ids(result: Result) -> set[str]:
    return {advice.rule for advice in result.advice}


def test_bunions_and_inward_rolling_feet_put_an_orthotic_in_the_top_three(shop):
    result = shop(bunions="both", feet_roll_inward="yes", pain_areas=["knee"])
    assert "orthotic_insole" in categories(result, 3)
    assert "bunion_overpronation_orthotic" in rule_ids(result)


def test_long_sitting_in_an_unsupportive_chair_with_back_pain_brings_lumbar_or_posture_support(
    shop,
):
    result = shop(sitting_hours=10, habits=["unsupportive_chair"], pain_areas=["lower_back"])
    assert {"lumbar_cushion", "posture_corrector"} & set(categories(result, 3))
    assert "move_during_sitting" in advice_ids(result)


def test_a_bladder_or_bowel_change_means_emergency_care_and_no_products(shop):
    result = shop(pain_areas=["lower_back"], red_flags=["bladder_bowel_change"])
    assert result.triage.level == "emergency"
    assert result.items == () and result.advice == ()
    assert "emergency" in result.triage.message


def test_a_swollen_calf_means_a_doctor_today_and_no_products(shop):
    result = shop(pain_areas=["knee"], red_flags=["calf_swelling"])
    assert result.triage.level == "urgent"
    assert result.items == ()
    assert "today" in result.triage.message


def test_poor_circulation_keeps_every_compression_product_out_and_says_why(shop):
    result = shop(
        pain_areas=["knee", "foot"], conditions=["poor_circulation"], activities=["running"]
    )
    shown = {item.sku for item in result.items}
    excluded = {entry.sku: entry.why for entry in result.excluded}
    compression = skus_where("compression")
    assert not shown & compression
    assert compression <= set(excluded)
    assert all("circulation" in excluded[sku] for sku in compression)


def test_a_budget_below_every_product_gives_no_items_and_a_budget_suggestion(shop):
    result = shop(pain_areas=["knee"], budget_max=1)
    assert result.items == ()
    assert len(result.suggestions) == 1
    assert result.suggestions[0].change["budget_max"] > 1
    assert "budget" in result.suggestions[0].text


def test_the_suggested_budget_is_one_change_away_from_a_result(shop):
    first = shop(pain_areas=["knee"], budget_max=1)
    raised = shop(pain_areas=["knee"], **first.suggestions[0].change)
    assert raised.items
    assert all(item.price <= first.suggestions[0].change["budget_max"] for item in raised.items)


def test_a_knee_that_gives_way_shows_a_hinged_brace_under_advice_to_see_a_clinician(shop):
    result = shop(pain_areas=["knee"], symptoms=["knee_gives_way"])
    assert result.triage.level == "see_clinician"
    assert "knee_brace_hinged" in categories(result, 3)


def test_an_under_sixteen_is_sent_to_a_clinician_with_no_products(shop):
    result = shop(age_band="under_16", pain_areas=["knee"], bunions="both")
    assert result.triage.level == "see_clinician"
    assert result.items == ()


def test_night_pain_shows_products_under_clear_advice(shop):
    result = shop(pain_areas=["lower_back"], red_flags=["night_pain"])
    assert result.triage.level == "see_clinician"
    assert result.items
    assert "clinician" in result.triage.message


def test_diabetes_holds_back_heat_and_puts_a_podiatrist_caution_on_insoles(shop):
    result = shop(
        pain_areas=["foot", "lower_back"], conditions=["diabetes"], symptoms=["muscle_spasms"]
    )
    shown = {item.sku for item in result.items}
    assert not shown & skus_where("heat")
    assert skus_where("heat") <= {entry.sku for entry in result.excluded}
    insoles = [item for item in result.items if item.category == "orthotic_insole"]
    assert insoles and all(any("podiatrist" in c for c in item.cautions) for item in insoles)
    assert "heat_or_cold" not in advice_ids(result) and "heat_needs_care" in advice_ids(result)


def test_an_implanted_device_holds_back_every_magnetic_product(shop):
    result = shop(
        pain_areas=["lower_back", "foot"], habits=["slouching"], conditions=["implanted_device"]
    )
    magnetic = skus_where("magnetic")
    assert not {item.sku for item in result.items} & magnetic
    assert magnetic <= {entry.sku for entry in result.excluded}


def test_numbness_with_diabetes_asks_for_a_clinician_and_holds_back_heat(shop):
    result = shop(pain_areas=["lower_back"], symptoms=["numbness_one_leg"], conditions=["diabetes"])
    assert result.triage.level == "see_clinician"
    assert not {item.sku for item in result.items} & skus_where("heat")


def test_tight_hamstrings_bring_a_stretching_aid_and_stretching_advice(shop):
    result = shop(symptoms=["tight_hamstrings"], pain_areas=["back_of_leg"])
    assert "stretch_aid" in categories(result, 3)
    assert "hamstring_stretches" in advice_ids(result)


def test_pain_on_the_inside_of_the_knee_brings_an_unloader_and_the_toe_out_tip(shop):
    result = shop(pain_areas=["knee"], knee_pain_site="inside")
    assert "knee_brace_unloader" in categories(result, 3)
    assert "toes_slightly_out" in advice_ids(result)


def test_muscle_spasms_bring_hot_and_cold_therapy(shop):
    result = shop(pain_areas=["lower_back"], symptoms=["muscle_spasms"])
    assert "hot_cold_therapy" in categories(result, 3)
    assert "heat_or_cold" in advice_ids(result)


def test_slouching_and_a_heavy_bag_bring_a_posture_corrector_first(shop):
    result = shop(habits=["slouching", "heavy_bag"])
    assert result.items[0].category == "posture_corrector"
    assert {"stand_tall", "lighter_bag"} <= advice_ids(result)


def test_a_runner_with_knee_pain_gets_knee_support_made_for_running(shop):
    result = shop(pain_areas=["knee"], activities=["running"])
    assert {"knee_sleeve", "knee_strap"} & set(categories(result, 3))
    assert "fit_running" in rule_ids(result)


def test_tight_hips_and_yoga_bring_a_yoga_prop_and_the_three_poses(shop):
    result = shop(symptoms=["tight_hips"], activities=["yoga"])
    assert "yoga_prop" in categories(result, 3)
    assert "yoga_for_psoas" in advice_ids(result)


def test_weak_hips_bring_a_hip_support(shop):
    result = shop(symptoms=["weak_hips"])
    assert "hip_support" in categories(result, 3)


def test_upper_thigh_pain_brings_a_thigh_sleeve(shop):
    result = shop(pain_areas=["upper_thigh"])
    assert "thigh_sleeve" in categories(result, 3)


def test_worn_shoes_bring_an_orthotic_insole(shop):
    result = shop(habits=["worn_or_flat_shoes"], pain_areas=["foot"])
    assert result.items[0].category == "orthotic_insole"


def test_back_and_knee_pain_together_bring_support_for_both(shop):
    result = shop(pain_areas=["knee", "lower_back"], pain_timing="together")
    shown = set(categories(result))
    assert shown & {"back_brace", "lumbar_cushion", "posture_corrector"}
    assert shown & {"knee_sleeve", "knee_strap", "knee_brace_hinged"}


def test_shooting_leg_pain_with_knee_pain_brings_lower_back_support(shop):
    result = shop(pain_areas=["knee"], symptoms=["shooting_leg_pain"])
    assert {"lumbar_cushion", "back_brace"} & set(categories(result))
    assert "sciatic_leg_symptoms" in rule_ids(result)


def test_not_sure_answers_give_no_evidence_either_way(shop):
    unsure = shop(bunions="not_sure", feet_roll_inward="not_sure", knee_pain_site="not_sure")
    assert unsure.items == ()
    assert "Tell us where it hurts" in unsure.suggestions[0].text
    assert shop(bunions="not_sure", pain_areas=["knee"]).items == shop(pain_areas=["knee"]).items


def test_a_higher_body_mass_brings_weight_advice_without_keeping_height_or_weight(shop):
    result = shop(pain_areas=["knee"], height_cm=165, weight_kg=100)
    assert "healthy_weight" in advice_ids(result)
    # Body weight alone offers no insole (SPEC section 2 revision 3); with sore feet it does.
    assert "body_mass_spine_pressure" not in rule_ids(result)
    sore_feet = shop(pain_areas=["foot"], height_cm=165, weight_kg=100)
    assert "body_mass_spine_pressure" in rule_ids(sore_feet)


def test_an_out_of_stock_product_is_never_shown_and_is_listed_as_held_back(shop):
    out_of_stock = set(PRODUCTS.index[~PRODUCTS["in_stock"]])
    result = shop(pain_areas=["knee"], activities=["walking"], k=20)
    assert not {item.sku for item in result.items} & out_of_stock
    held = {entry.sku: entry.why for entry in result.excluded}
    assert "KS-104" in held and "stock" in held["KS-104"]


def test_no_more_than_two_products_of_one_category_by_default(shop):
    result = shop(
        pain_areas=["knee", "foot", "lower_back"], bunions="both", feet_roll_inward="yes", k=20
    )
    counts = {c: categories(result, 20).count(c) for c in set(categories(result, 20))}
    assert max(counts.values()) <= 2


def test_a_shopper_asking_for_three_products_gets_three(shop):
    assert len(shop(pain_areas=["knee", "lower_back"], k=3).items) == 3


def test_every_reason_speaks_from_the_shoppers_own_answers(shop):
    result = shop(pain_areas=["knee"], habits=["slouching"], sitting_hours=8)
    texts = [reason.text for item in result.items for reason in item.reasons]
    assert texts and all(text.startswith("Because you told us about") for text in texts)
    assert any("8 hours of sitting" in text for text in texts)
