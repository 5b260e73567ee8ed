"""The safety screen follows SPEC section 2 flag by flag."""

from __future__ import annotations

import pytest

from recommender.answers import LIST_CHOICES, parse_answers
from recommender.features import answer_features
from recommender.safety import load_safety_book

SPEC_LEVELS = {
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
    "night_pain": "see_clinician",
}


def test_every_red_flag_of_the_schema_has_a_level():
    assert set(SPEC_LEVELS) == set(LIST_CHOICES["red_flags"])


@pytest.mark.parametrize(("flag", "level"), sorted(SPEC_LEVELS.items()))
def test_each_red_flag_sets_its_level_and_explains_it_calmly(flag, level):
    screen = load_safety_book().screen(answer_features(parse_answers({"red_flags": [flag]})))
    assert screen.triage.level == level
    assert screen.triage.flags == (flag,)
    assert screen.shows_products == (level == "see_clinician")
    assert "You told us about" in screen.triage.message and "!" not in screen.triage.message


def test_the_most_serious_flag_sets_the_level_and_every_flag_is_reported():
    raw = {"red_flags": ["night_pain", "knee_locked", "saddle_numbness"]}
    screen = load_safety_book().screen(answer_features(parse_answers(raw)))
    assert screen.triage.level == "emergency"
    assert set(screen.triage.flags) == set(raw["red_flags"])
