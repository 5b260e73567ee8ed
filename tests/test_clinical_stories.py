"""Shopper stories for SPEC section 2, revision 2: the new red flags and risk combinations, the
new cautions, pregnancy, and NICE NG59 on low back pain, as a shopper (or a clinician reading
over their shoulder) would see them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from recommender.catalog.products import load_catalog
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import build_engine
from recommender.shopper.kinds import wrong_kinds
from recommender.shopper.result import Result
from tests.conftest import CATALOG_DIR

PRODUCTS = load_catalog(CATALOG_DIR).products.set_index("sku")
NG59 = {"back_brace", "si_belt", "orthotic_insole"}


def categories(result: Result, top: int = 5) -> list[str]:
    return [item.category for item in result.items[:top]]


def skus_where(column: str) -> set[str]:
    return set(PRODUCTS.index[PRODUCTS[column]])


def shown(result: Result) -> set[str]:
    return {item.sku for item in result.items}


def advice_ids(result: Result) -> set[str]:
    return {advice.rule for advice in result.advice}


# --- new red flags --------------------------------------------------------------------------


def test_sciatica_in_both_legs_sends_the_shopper_to_999_with_no_products(shop):
    result = shop(pain_areas=["lower_back", "back_of_leg"], red_flags=["sciatica_both_legs"])
    assert result.triage.level == "emergency"
    assert result.items == ()
    assert "999" in result.triage.message and "A&E" in result.triage.message
    assert "both legs" in result.triage.message
    assert "Nothing in your answers" not in result.triage.message


@pytest.mark.parametrize(
    ("flag", "told"),
    [
        ("numbness_getting_worse", "spreading or getting worse"),
        ("back_swelling_or_deformity", "change of shape in the back"),
    ],
)
def test_a_worsening_numbness_or_a_changed_back_means_a_doctor_today(shop, flag, told):
    result = shop(pain_areas=["lower_back"], red_flags=[flag])
    assert result.triage.level == "urgent"
    assert result.items == ()
    assert "doctor today" in result.triage.message and told in result.triage.message


def test_a_swollen_calf_says_to_call_999_at_once_with_breathlessness_or_chest_pain(shop):
    message = shop(pain_areas=["back_of_leg"], red_flags=["calf_swelling"]).triage.message
    assert "today" in message
    assert "short of breath" in message and "chest pain" in message and "999" in message


def test_red_flag_wording_never_assumes_back_pain_the_shopper_has_not_told_us_about(shop):
    # The safety step is answered before the pain areas are asked.
    for flag in ("bladder_bowel_change", "weight_loss_or_cancer"):
        message = shop(red_flags=[flag]).triage.message
        assert "back pain" not in message.lower()


# --- risk combinations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"risk_factors": ["recent_fall", "osteoporosis"]},
        {"risk_factors": ["recent_fall", "long_term_steroids"]},
        {"risk_factors": ["recent_fall"], "age_band": "65_plus"},
    ],
)
def test_back_pain_after_a_fall_with_fragile_bones_means_a_fracture_check_today(shop, extra):
    result = shop(pain_areas=["lower_back"], **extra)
    assert result.triage.level == "urgent"
    assert result.items == ()
    assert "fracture" in result.triage.message


def test_a_fall_alone_at_forty_with_back_pain_is_not_raised(shop):
    result = shop(pain_areas=["lower_back"], risk_factors=["recent_fall"], age_band="16_49")
    assert result.triage.level == "none"
    assert result.items


def test_a_knee_injury_at_65_or_over_means_an_x_ray_today_under_the_ottawa_rule(shop):
    result = shop(pain_areas=["knee"], risk_factors=["recent_knee_injury"], age_band="65_plus")
    assert result.triage.level == "urgent" and result.items == ()
    assert "X-ray" in result.triage.message


def test_a_knee_injury_at_40_means_seeing_a_clinician_with_comfort_products_meanwhile(shop):
    result = shop(pain_areas=["knee"], risk_factors=["recent_knee_injury"], age_band="16_49")
    assert result.triage.level == "see_clinician"
    assert result.items
    assert "GP or a physiotherapist" in result.triage.message
    assert "products below" in result.triage.message


@pytest.mark.parametrize(
    ("risk", "words"),
    [
        ("weakened_immunity", "infection"),
        ("injects_drugs", "infection"),
        ("osteoporosis", "bones"),
        ("long_term_steroids", "bones"),
    ],
)
def test_back_pain_with_an_infection_or_fracture_risk_means_seeing_a_gp(shop, risk, words):
    result = shop(pain_areas=["lower_back"], risk_factors=[risk])
    assert result.triage.level == "see_clinician"
    assert words in result.triage.message


def test_a_risk_factor_without_back_pain_raises_nothing(shop):
    result = shop(pain_areas=["knee"], risk_factors=["weakened_immunity", "osteoporosis"])
    assert result.triage.level == "none"


def test_with_a_fever_the_infection_risk_is_already_urgent(shop):
    result = shop(
        pain_areas=["lower_back"], risk_factors=["injects_drugs"], red_flags=["fever_or_unwell"]
    )
    assert result.triage.level == "urgent" and result.items == ()


@pytest.mark.parametrize("age", ["50_64", "65_plus"])
def test_new_back_pain_from_50_is_checked_by_a_gp_first(shop, age):
    result = shop(pain_areas=["lower_back"], pain_started="under_6_weeks", age_band=age)
    assert result.triage.level == "see_clinician"
    assert "50" in result.triage.message


@pytest.mark.parametrize(
    "raw",
    [
        {"pain_started": "over_12_weeks", "age_band": "65_plus"},
        {"pain_started": "under_6_weeks", "age_band": "16_49"},
        {"pain_started": "not_sure", "age_band": "50_64"},
    ],
)
def test_long_standing_back_pain_or_new_pain_under_50_is_not_raised(shop, raw):
    assert shop(pain_areas=["lower_back"], **raw).triage.level == "none"


def test_the_message_names_only_what_the_shopper_told_us(shop):
    message = shop(
        pain_areas=["lower_back"], risk_factors=["recent_fall"], age_band="65_plus"
    ).triage.message
    assert "a recent fall" in message and "65 or over" in message
    assert "osteoporosis" not in message and "steroid" not in message


def test_the_highest_level_wins_when_several_apply(shop):
    result = shop(
        pain_areas=["lower_back"],
        risk_factors=["osteoporosis"],
        symptoms=["knee_gives_way"],
        red_flags=["saddle_numbness"],
    )
    assert result.triage.level == "emergency"
    assert {"saddle_numbness", "back_pain_fracture_risk", "knee_gives_way"} <= set(
        result.triage.flags
    )


# --- messages fit the page ------------------------------------------------------------------


def test_an_under_16_is_told_plainly_that_no_products_are_suggested(shop):
    result = shop(age_band="under_16", pain_areas=["knee"], red_flags=["night_pain"])
    assert result.items == ()
    assert "not suggesting any products" in result.triage.message
    assert "may still" not in result.triage.message and "below" not in result.triage.message


def test_a_see_clinician_result_with_nothing_to_show_never_mentions_products_below(shop):
    result = shop(pain_areas=["knee"], symptoms=["knee_gives_way"], budget_max=1)
    assert result.triage.level == "see_clinician" and result.items == ()
    assert "below" not in result.triage.message


# --- cautions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        {"conditions": ["diabetes"]},
        {"conditions": ["poor_circulation"]},
        {"symptoms": ["numbness_one_leg"]},
    ],
)
def test_ice_and_cold_packs_are_held_back_like_heat_and_the_reason_is_given(shop, raw):
    result = shop(
        k=50,
        pain_areas=["lower_back", "knee"],
        symptoms=[*raw.get("symptoms", []), "muscle_spasms", "swelling_after_activity"],
        conditions=raw.get("conditions", []),
    )
    cold = skus_where("cold")
    assert not shown(result) & cold
    held = {entry.sku: entry.why for entry in result.excluded}
    assert cold & set(held)
    assert all("held back" in held[sku] for sku in cold & set(held))


def test_the_issue_example_no_longer_puts_an_ice_pack_first_for_a_diabetic(shop):
    result = shop(pain_areas=["lower_back"], symptoms=["muscle_spasms"], conditions=["diabetes"])
    assert not shown(result) & (skus_where("cold") | skus_where("heat"))


@pytest.mark.parametrize("condition", ["skin_condition", "pregnancy"])
def test_heat_products_carry_a_caution_with_a_skin_condition_or_in_pregnancy(shop, condition):
    result = shop(
        k=50, pain_areas=["lower_back"], symptoms=["muscle_spasms"], conditions=[condition]
    )
    heated = [item for item in result.items if item.sku in skus_where("heat")]
    assert heated
    assert all(any("heat gentle" in c for c in item.cautions) for item in heated)


def test_every_magnetic_product_says_there_is_no_good_evidence_that_magnets_ease_pain(engine):
    roomy = build_engine(engine.catalog, replace(engine.weights, max_per_category=10))
    answers = parse_answers({"pain_areas": ["lower_back", "foot", "knee"], "habits": ["slouching"]})
    result = roomy.recommend(answers, 50)
    assert {item.sku for item in result.items} >= skus_where("magnetic")
    magnets = [item for item in result.items if item.sku in skus_where("magnetic")]
    assert magnets
    assert all(any("no good evidence" in c for c in item.cautions) for item in magnets)


def test_a_pregnant_shopper_gets_no_weight_loss_advice_and_no_boat_pose(shop):
    result = shop(
        pain_areas=["lower_back", "knee"],
        conditions=["pregnancy"],
        activities=["yoga"],
        symptoms=["tight_hips"],
        height_cm=160,
        weight_kg=95,
        k=20,
    )
    texts = [a.text for a in result.advice]
    texts += [r.text for item in result.items for r in item.reasons]
    assert "healthy_weight" not in advice_ids(result)
    assert "yoga_for_psoas_in_pregnancy" in advice_ids(result)
    assert not [t for t in texts if "boat pose" in t and "leave out boat pose" not in t]
    assert "body_mass_spine_pressure" not in {r.rule for i in result.items for r in i.reasons}


def test_pelvic_and_back_belts_ask_a_pregnant_shopper_to_check_with_her_midwife(shop):
    result = shop(k=50, pain_areas=["lower_back", "hip", "knee"], conditions=["pregnancy"])
    belts = [item for item in result.items if item.category in ("back_brace", "si_belt")]
    assert belts
    assert all(any("midwife" in c for c in item.cautions) for item in belts)


# --- NICE NG59 ------------------------------------------------------------------------------


@pytest.mark.parametrize("areas", [["lower_back"], ["lower_back", "back_of_leg"]])
def test_low_back_pain_alone_puts_no_brace_belt_or_insole_in_the_top_3(shop, areas):
    result = shop(pain_areas=areas)
    assert len(result.items) >= 3
    assert not NG59 & set(categories(result, 3))


def test_stay_active_advice_leads_for_low_back_pain_and_names_ng59(shop):
    result = shop(pain_areas=["lower_back"])
    assert result.advice[0].rule == "stay_active_back"
    assert "NICE NG59" in result.advice[0].text


def test_a_brace_shown_for_low_back_pain_carries_the_uk_guidance(shop):
    result = shop(k=50, pain_areas=["lower_back", "knee"], habits=["bends_to_lift"])
    braces = [item for item in result.items if item.category in ("back_brace", "si_belt")]
    assert braces
    for item in braces:
        assert any("NICE NG59" in c and "staying active" in c for c in item.cautions)


def test_ng59_does_not_reorder_a_shopper_whose_knee_also_hurts(shop):
    result = shop(pain_areas=["lower_back", "knee"], bunions="both", feet_roll_inward="yes")
    assert "orthotic_insole" in categories(result, 3)


# --- reasons true of their product, and cards that differ -----------------------------------


def test_a_wobbly_knee_never_puts_a_brace_sentence_on_an_insole_or_belt(shop):
    result = shop(
        k=50,
        pain_areas=["knee", "lower_back", "foot"],
        symptoms=["knee_gives_way"],
        habits=["worn_or_flat_shoes"],
    )
    for item in result.items:
        for reason in item.reasons:
            assert not wrong_kinds(reason.text, item.category), (item.sku, reason.text)


def test_an_unloader_brace_is_offered_as_the_shops_suggestion_not_the_articles(shop):
    result = shop(pain_areas=["knee"], knee_pain_site="inside")
    unloaders = [item for item in result.items if item.category == "knee_brace_unloader"]
    assert unloaders
    assert any("our shop's suggestion" in r.text for r in unloaders[0].reasons)


def test_walking_without_any_pain_brings_no_knee_protection_reason(shop):
    result = shop(activities=["walking"], habits=["slouching"])
    assert "fit_walking_hiking" not in {r.rule for i in result.items for r in i.reasons}


def test_a_typical_body_mass_index_of_26_sells_no_unloader_brace(shop):
    result = shop(pain_areas=["knee"], height_cm=175, weight_kg=80)
    assert "knee_brace_unloader" not in categories(result)


def test_sciatica_is_not_offered_socks(shop):
    result = shop(pain_areas=["back_of_leg"], sitting_hours=9, activities=["walking"])
    assert "compression_socks" not in categories(result)


def test_bunions_lead_with_the_whole_picture_not_a_corrector(shop):
    result = shop(bunions="both")
    assert result.items[0].category != "bunion_corrector"
    assert "posture_exercises" in advice_ids(result)


def test_each_card_first_says_what_it_offers_that_closer_matches_do_not(shop):
    result = shop(pain_areas=["knee"], activities=["running"], budget_max=60)
    first = [item.reasons[0] for item in result.items]
    assert all(r.rule == "what_sets_it_apart" for r in first)
    assert all(r.text.startswith("Because you told us about") for r in first)
    assert "made for running" in first[0].text
    assert "under your budget of £60.00" in first[0].text
    assert all("closer matches" in r.text for r in first[1:])
    assert len({tuple(r.text for r in item.reasons) for item in result.items}) == len(first)


def test_in_a_small_shop_a_belt_that_could_only_rank_first_is_held_back_and_named(tmp_path):
    lines = (CATALOG_DIR / "products.csv").read_text().splitlines()
    kept = [lines[0]] + [line for line in lines[1:] if line.startswith(("BB-501,", "LC-802,"))]
    (tmp_path / "products.csv").write_text("\n".join(kept) + "\n")
    small = build_engine(load_catalog(tmp_path))
    result = small.recommend(parse_answers({"pain_areas": ["lower_back"]}), 5)
    assert [item.sku for item in result.items] == ["LC-802"]
    held = {entry.sku: entry.why for entry in result.excluded}
    assert "NICE NG59" in held["BB-501"]
