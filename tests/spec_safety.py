"""SPEC section 2's red-flag table, written out again here by hand so that the safety tests do
not read the table they check (`recommender/shopper/data/safety.toml`)."""

from __future__ import annotations

# Lowest to highest: a shopper gets the highest level any of their answers reaches.
SPEC_LEVEL_ORDER = ("none", "see_clinician", "urgent", "emergency")

SPEC_FLAG_LEVELS = {
    "bladder_bowel_change": "emergency",
    "saddle_numbness": "emergency",
    "both_legs_weak_or_numb": "emergency",
    "cold_pale_foot": "emergency",
    "major_trauma": "emergency",
    "hot_swollen_joint": "emergency",
    "worsening_leg_weakness": "urgent",
    "cannot_bear_weight": "urgent",
    "knee_locked": "urgent",
    "calf_swelling": "urgent",
    "fever_or_unwell": "urgent",
    "weight_loss_or_cancer": "urgent",
    "foot_wound_with_diabetes": "urgent",
    "sciatica_both_legs": "emergency",
    "numbness_getting_worse": "urgent",
    "back_swelling_or_deformity": "urgent",
    "night_pain": "see_clinician",
}

# SPEC section 1 revision 3: `50_64` cannot tell 52 from 58, so it counts from 55 (the safe
# reading); the new bands say which side of 55 the shopper is.
SPEC_FROM_50 = {"50_54", "55_64", "50_64", "65_plus"}
SPEC_FROM_55 = {"55_64", "50_64", "65_plus"}
# Every numbness answer: with diabetes, any of them holds compression back (NICE NG89).
SPEC_NUMBNESS_SYMPTOMS = {"numbness_one_leg", "numb_feet"}
SPEC_NUMBNESS_FLAGS = {
    "saddle_numbness",
    "both_legs_weak_or_numb",
    "numbness_getting_worse",
    "sciatica_both_legs",
}


def spec_level(raw: dict) -> str:
    """The level SPEC section 2 (revisions 2 and 3) asks for these raw answers."""
    flags, risks = set(raw.get("red_flags", [])), set(raw.get("risk_factors", []))
    symptoms, conditions = set(raw.get("symptoms", [])), set(raw.get("conditions", []))
    areas, age = set(raw.get("pain_areas", [])), raw.get("age_band")
    back, fall = "lower_back" in areas, "recent_fall" in risks
    found = [SPEC_FLAG_LEVELS[flag] for flag in flags]
    if age == "under_16" or "knee_gives_way" in symptoms:
        found.append("see_clinician")
    bone_risk = bool(risks & {"osteoporosis", "long_term_steroids"}) or age == "65_plus"
    if back and fall and bone_risk:
        found.append("urgent")
    # Revision 3, hip fracture (NHS).
    if areas & {"hip", "upper_thigh"} and fall and bone_risk:
        found.append("urgent")
    # Revision 3, Ottawa from 55: knee pain after a fall, or a knee injury (knee trauma in itself).
    knee_trauma = "recent_knee_injury" in risks or ("knee" in areas and fall)
    if knee_trauma:
        found.append("urgent" if age in SPEC_FROM_55 else "see_clinician")
    # Issue 19's coverage gaps: numbness or tingling after a fall or injury (NHS: sprains and
    # strains) is seen today, whichever numbness answer tells of it.
    injured = bool(risks & {"recent_fall", "recent_knee_injury"})
    if injured and (symptoms & SPEC_NUMBNESS_SYMPTOMS or flags & SPEC_NUMBNESS_FLAGS):
        found.append("urgent")
    # Revision 3, high-risk diabetic foot (NICE NG19).
    if "diabetes" in conditions and (
        symptoms & {"numb_feet", "numbness_one_leg"} or "poor_circulation" in conditions
    ):
        found.append("see_clinician")
    if back and risks & {
        "weakened_immunity",
        "injects_drugs",
        "osteoporosis",
        "long_term_steroids",
    }:
        found.append("see_clinician")
    if back and raw.get("pain_started") == "under_6_weeks" and age in SPEC_FROM_50:
        found.append("see_clinician")
    return max(found, key=SPEC_LEVEL_ORDER.index, default="none")


def spec_held_back(raw: dict) -> dict[str, bool]:
    """Revision 3's product cautions that hold products back: which apply to these answers."""
    symptoms, conditions = set(raw.get("symptoms", [])), set(raw.get("conditions", []))
    flags = set(raw.get("red_flags", []))
    diabetes = "diabetes" in conditions
    numb = bool(symptoms & SPEC_NUMBNESS_SYMPTOMS or flags & SPEC_NUMBNESS_FLAGS)
    high_risk_foot = diabetes and (
        bool(symptoms & {"numb_feet", "numbness_one_leg"}) or "poor_circulation" in conditions
    )
    return {
        # Issue 19: heat in the first days after an injury or fall (NHS: sprains and strains).
        "heat": bool(set(raw.get("risk_factors", [])) & {"recent_fall", "recent_knee_injury"})
        or numb
        or bool(conditions & {"diabetes", "poor_circulation"}),
        "compression": (numb and (diabetes or "numb_feet" in symptoms))
        or "poor_circulation" in conditions
        or "calf_swelling" in flags,
        "toe_devices": high_risk_foot,
        "magnets": "pregnancy" in conditions or "implanted_device" in conditions,
    }
