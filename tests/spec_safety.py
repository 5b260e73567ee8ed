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
