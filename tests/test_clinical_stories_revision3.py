"""Shopper stories for SPEC section 2, revision 3, each from its source: a hip that may be broken
after a fall (NHS), knee trauma from 55 (the Ottawa knee rule), the high-risk diabetic foot
(NICE NG19), compression and numbness (NICE NG89), magnets in pregnancy, and banners that never
say nothing needs a clinician while a caution beside them says to see one."""

from __future__ import annotations

import pytest

from recommender.catalog.products import load_catalog
from recommender.shopper.result import Result
from tests.conftest import CATALOG_DIR

PRODUCTS = load_catalog(CATALOG_DIR).products.set_index("sku")
COMPRESSION = set(PRODUCTS.index[PRODUCTS["compression"]])
MAGNETIC = set(PRODUCTS.index[PRODUCTS["magnetic"]])
TOE_DEVICES = set(PRODUCTS.index[PRODUCTS["category"] == "bunion_corrector"])
NO_CLINICIAN_NEEDED = "Nothing in your answers needs a clinician"


def shown(result: Result) -> set[str]:
    return {item.sku for item in result.items}


def held_back(result: Result) -> dict[str, str]:
    return {excluded.sku: excluded.why for excluded in result.excluded}


# --- hip fracture (NHS: hip fracture) -------------------------------------------------------


def test_a_70_year_old_with_osteoporosis_whose_hip_hurts_after_a_fall_is_sent_for_urgent_care(
    shop,
):
    result = shop(
        age_band="65_plus", pain_areas=["hip"], risk_factors=["recent_fall", "osteoporosis"]
    )
    assert result.triage.level == "urgent"
    assert result.items == ()  # no hip wrap, no compression shorts: getting checked comes first
    assert "hip_fracture_risk" in result.triage.flags
    message = result.triage.message
    assert "cannot stand" in message and "shorter" in message and "turned outwards" in message
    assert "call 999" in message
    assert NO_CLINICIAN_NEEDED not in message


@pytest.mark.parametrize(
    "answers",
    [
        {"age_band": "50_54", "risk_factors": ["recent_fall", "long_term_steroids"]},
        {"age_band": "16_49", "risk_factors": ["recent_fall", "osteoporosis"]},
        {"age_band": "65_plus", "risk_factors": ["recent_fall"]},
    ],
)
@pytest.mark.parametrize("area", ["hip", "upper_thigh"])
def test_hip_or_thigh_pain_after_a_fall_with_fragile_bones_means_a_doctor_today(
    shop, answers, area
):
    result = shop(pain_areas=[area], **answers)
    assert result.triage.level == "urgent" and result.items == ()
    assert "break the hip" in result.triage.message


def test_a_fall_with_hip_pain_at_40_and_strong_bones_is_not_raised(shop):
    result = shop(age_band="16_49", pain_areas=["hip"], risk_factors=["recent_fall"])
    assert result.triage.level == "none"
    assert result.items


# --- knee trauma from 55 (Ottawa knee rule) -------------------------------------------------


@pytest.mark.parametrize("age", ["55_64", "50_64", "65_plus"])
@pytest.mark.parametrize("trauma", ["recent_fall", "recent_knee_injury"])
def test_knee_pain_after_a_fall_or_injury_from_55_means_an_x_ray_today(shop, age, trauma):
    # `50_64` (revision 1's band) cannot tell 52 from 58, so it is read as 55 or over.
    result = shop(age_band=age, pain_areas=["knee"], risk_factors=[trauma])
    assert result.triage.level == "urgent" and result.items == ()
    assert "knee_trauma_from_55" in result.triage.flags
    assert "X-ray" in result.triage.message


@pytest.mark.parametrize("age", ["50_54", "16_49", None])
@pytest.mark.parametrize("trauma", ["recent_fall", "recent_knee_injury"])
def test_knee_pain_after_a_fall_or_injury_under_55_means_seeing_a_clinician(shop, age, trauma):
    answers = {"age_band": age} if age else {}
    result = shop(pain_areas=["knee"], risk_factors=[trauma], **answers)
    assert result.triage.level == "see_clinician"
    assert "recent_knee_injury" in result.triage.flags
    assert result.items and "products below" in result.triage.message


def test_a_knee_injury_at_60_counts_even_when_only_the_back_was_ticked(shop):
    # A knee injury is knee trauma in itself, as revision 2 read it at 65 or over.
    result = shop(age_band="55_64", pain_areas=["lower_back"], risk_factors=["recent_knee_injury"])
    assert result.triage.level == "urgent"


def test_a_fall_with_only_back_pain_at_58_is_not_a_knee_matter(shop):
    result = shop(age_band="55_64", pain_areas=["lower_back"], risk_factors=["recent_fall"])
    assert "knee_trauma_from_55" not in result.triage.flags
    assert "recent_knee_injury" not in result.triage.flags


# --- the high-risk diabetic foot (NICE NG19) ------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        {"symptoms": ["numb_feet"]},
        {"symptoms": ["numbness_one_leg"]},
        {"conditions": ["poor_circulation"]},
    ],
)
def test_a_diabetic_with_numb_feet_or_poor_circulation_is_sent_to_a_podiatrist(shop, answers):
    conditions = ["diabetes", *answers.pop("conditions", [])]
    result = shop(pain_areas=["foot"], bunions="both", conditions=conditions, **answers)
    assert result.triage.level == "see_clinician"
    assert "high_risk_diabetic_foot" in result.triage.flags
    assert "podiatrist" in result.triage.message
    assert "foot protection service" in result.triage.message
    assert not shown(result) & TOE_DEVICES  # no toe spacer for a foot that may not feel a sore
    assert all("podiatrist" in held_back(result)[sku] for sku in TOE_DEVICES)


def test_long_standing_numb_feet_have_an_answer_that_is_not_a_999_emergency(shop):
    result = shop(pain_areas=["foot"], symptoms=["numb_feet"])
    assert result.triage.level == "none"  # not a red flag on its own
    assert result.items


def test_compression_socks_are_held_back_for_a_diabetic_with_numbness(shop):
    for symptom in ("numb_feet", "numbness_one_leg"):
        result = shop(
            pain_areas=["foot", "back_of_leg"], conditions=["diabetes"], symptoms=[symptom]
        )
        assert not shown(result) & COMPRESSION
        assert any("press too hard" in held_back(result).get(sku, "") for sku in COMPRESSION)


def test_numb_feet_hold_compression_back_without_diabetes_too(shop):
    result = shop(pain_areas=["foot", "back_of_leg"], symptoms=["numb_feet"])
    assert not shown(result) & COMPRESSION


def test_compression_for_a_diabetic_without_numbness_asks_for_a_circulation_check(shop):
    result = shop(pain_areas=["foot", "back_of_leg"], conditions=["diabetes"], k=10)
    socks = [item for item in result.items if item.sku in COMPRESSION]
    assert socks
    for item in socks:
        assert any("circulation in your legs checked" in c for c in item.cautions)


def test_foot_pain_with_diabetes_never_gets_a_banner_saying_no_clinician_is_needed(shop):
    result = shop(pain_areas=["foot"], conditions=["diabetes"], feet_roll_inward="yes")
    assert result.triage.level == "none"
    assert NO_CLINICIAN_NEEDED not in result.triage.message
    assert "podiatrist" in result.triage.message
    assert any("podiatrist" in c for item in result.items for c in item.cautions)


# --- magnets in pregnancy ------------------------------------------------------------------


def test_magnetic_insoles_are_held_back_in_pregnancy(shop):
    result = shop(pain_areas=["foot", "lower_back"], conditions=["pregnancy"], k=20)
    assert not shown(result) & MAGNETIC
    assert all(
        "pregnancy" in held_back(result)[sku] for sku in MAGNETIC if sku in held_back(result)
    )
    assert "OI-115" in held_back(result)


# --- old answers keep working --------------------------------------------------------------


def test_new_back_pain_at_52_on_the_new_bands_is_still_checked_by_a_gp(shop):
    result = shop(pain_areas=["lower_back"], pain_started="under_6_weeks", age_band="50_54")
    assert result.triage.level == "see_clinician"


def test_an_unknown_age_band_is_refused_by_name(shop):
    from recommender.errors import AnswersError

    with pytest.raises(AnswersError, match="age_band") as refused:
        shop(age_band="50_59")
    assert "55_64" in str(refused.value)
