"""The questionnaire steps turn what a shopper picked into valid raw answers."""

from __future__ import annotations

import pytest

from recommender.shop.questionnaire import (
    CHECKS,
    LABELS,
    QUESTIONS,
    SAFETY_STEP,
    STEPS,
    describe,
    empty_draft,
    raw_answers,
)
from recommender.shopper.answers import CHOICES, LIST_CHOICES, parse_answers


def test_every_answer_field_is_asked_once_with_a_label_for_every_value() -> None:
    asked = [q.field for step in STEPS for q in step.questions]
    assert len(asked) == len(set(asked))
    for field, values in {**CHOICES, **LIST_CHOICES}.items():
        assert field in asked
        assert set(LABELS[field]) == set(values), field


def test_red_flags_come_straight_after_where_it_hurts() -> None:
    safety = STEPS[SAFETY_STEP]
    assert SAFETY_STEP == 1 and STEPS[0].questions[0].field == "pain_areas"
    assert [q.field for q in safety.questions if q.kind == CHECKS] == ["red_flags"]


def test_nothing_answered_gives_only_the_schema_version() -> None:
    assert raw_answers(empty_draft()) == {"schema_version": 1}


def test_picked_values_become_valid_answers_in_a_stable_order() -> None:
    draft = empty_draft() | {
        "pain_areas": ["lower_back", "knee"],
        "knee_side": "left",
        "bunions": "not_sure",
        "sitting_hours": 8,
        "height_cm": 180,
        "weight_kg": 80,
        "budget_max": 40,
    }
    raw = raw_answers(draft)
    assert raw["pain_areas"] == ["knee", "lower_back"]
    assert raw["budget_max"] == 40.0
    answers = parse_answers(raw)
    assert answers.body_mass_band == "typical"
    assert answers.bunions == "not_sure"


def test_knee_questions_are_dropped_when_the_knee_is_not_sore() -> None:
    draft = empty_draft() | {"pain_areas": ["foot"], "knee_side": "left", "pain_timing": "together"}
    assert "knee_side" not in raw_answers(draft)
    assert "pain_timing" not in raw_answers(draft)
    assert QUESTIONS["knee_side"].is_asked(draft | {"pain_areas": ["knee"]})


def test_safety_answers_can_be_taken_with_where_it_hurts_alone() -> None:
    draft = empty_draft() | {
        "red_flags": ["knee_locked"],
        "pain_areas": ["knee"],
        "bunions": "both",
    }
    assert raw_answers(draft, up_to_step=SAFETY_STEP) == {
        "schema_version": 1,
        "pain_areas": ["knee"],
        "red_flags": ["knee_locked"],
    }


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("pain_areas", ["back_of_leg", "knee"], "Knee; Back of the leg"),
        ("feet_roll_inward", "not_sure", "Not sure"),
        ("sitting_hours", 6.0, "6 hours"),
    ],
)
def test_answers_read_back_in_plain_words(field: str, value: object, words: str) -> None:
    assert describe(field, value) == words


def test_budget_input_never_offers_zero() -> None:
    low, high = QUESTIONS["budget_max"].bounds
    assert low > 0 and high is None


def test_the_age_question_offers_the_new_bands_but_an_old_link_keeps_its_50_to_64() -> None:
    age = QUESTIONS["age_band"]
    assert age.options == ("under_16", "16_49", "50_54", "55_64", "65_plus")
    assert "50_64" in age.options_for("50_64")  # reopening an old link shows what it held
    assert age.options_for("55_64") == age.options
    assert describe("age_band", "50_64") == "50 to 64"
    raw = raw_answers({**empty_draft(), "age_band": "50_64"})
    assert parse_answers(raw).age_band == "50_64"


def test_numb_feet_and_osteoarthritis_are_offered_in_plain_words() -> None:
    assert "numb_feet" in QUESTIONS["symptoms"].options
    assert "osteoarthritis" in QUESTIONS["conditions"].options
    assert "both feet" in describe("symptoms", ["numb_feet"])
