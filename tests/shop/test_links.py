"""Shareable links (SPEC section 9): answers survive the trip through an address, and a bad
address is named, never half-read."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.errors import AnswersError
from recommender.shop.finder_flow import (
    RESULTS_STEP,
    address,
    draft_from_raw,
    nothing_to_match,
    open_address,
)
from recommender.shop.links import link_params, read_link
from recommender.shop.questionnaire import empty_draft, raw_answers
from recommender.shopper.answers import parse_answers
from tests.strategies import raw_answers as any_raw_answers


@settings(max_examples=200, deadline=None)
@given(any_raw_answers(), st.booleans())
def test_any_answers_come_back_exactly_from_their_link(raw: dict, safety: bool) -> None:
    params = link_params(raw, safety_answered=safety)
    # Through a real query string, as a browser would send it.
    back = read_link(dict(parse_qsl(urlencode(params))))
    assert back.answers == parse_answers(raw)
    assert back.safety_answered == (safety or bool(raw.get("red_flags")))


@settings(max_examples=100, deadline=None)
@given(any_raw_answers())
def test_a_draft_and_its_address_open_the_same_draft_again(raw: dict) -> None:
    draft = draft_from_raw(raw)
    opened = open_address(address(draft, RESULTS_STEP, safety_answered=True), empty_draft())
    assert parse_answers(raw_answers(opened.draft)) == parse_answers(raw_answers(draft))
    assert opened.problem is None


def test_the_spec_example_reads_as_knee_and_back_pain_with_bunions() -> None:
    link = read_link({"pain_areas": "knee,lower_back", "bunions": "both", "sitting_hours": "9"})
    assert link.answers.pain_areas == {"knee", "lower_back"}
    assert link.answers.bunions == "both"
    assert link.answers.sitting_hours == 9.0
    assert not link.safety_answered


def test_measurements_travel_under_their_own_names() -> None:
    params = link_params({"measurements": {"knee_cm": 38.0}}, safety_answered=True)
    assert params == {"knee_cm": "38", "red_flags": "none"}
    assert read_link(params).answers.measurements == {"knee_cm": 38.0}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"knee_side": "middle"}, "knee_side"),
        ({"pain_areas": "knee,,hip"}, "pain_areas"),
        ({"pain_areas": "knee,knee"}, "pain_areas"),
        ({"sitting_hours": "lots"}, "sitting_hours"),
        ({"sitting_hours": "30"}, "sitting_hours"),
        ({"budget_max": "-5"}, "budget_max"),
        ({"knee_cm": "nan"}, "measurements.knee_cm"),
        ({"red_flags": "none,night_pain"}, "red_flags"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"schema_version": "1"}, "schema_version"),
        ({"bunions": "b" * 5000}, "bunions"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(params: dict, field: str) -> None:
    with pytest.raises(AnswersError) as refused:
        read_link(params)
    assert refused.value.field == field


def test_a_bad_value_opens_its_step_with_the_rest_of_the_link_kept() -> None:
    opened = open_address(
        {"red_flags": "none", "pain_areas": "knee", "knee_side": "middle", "bunions": "both"},
        empty_draft(),
    )
    assert opened.step == 0  # "Where it hurts" asks which knee
    assert opened.problem == (
        "We didn't recognise one of the answers in this link (which knee: 'middle'). "
        "The rest is kept."
    )
    assert opened.draft["pain_areas"] == ["knee"] and opened.draft["bunions"] == "both"
    assert opened.draft["knee_side"] is None


def test_an_unknown_area_is_named_in_words_and_the_known_one_is_kept() -> None:
    opened = open_address({"red_flags": "none", "pain_areas": "knee,foo"}, empty_draft())
    assert opened.problem == (
        "We didn't recognise one of the answers in this link (where it hurts: 'foo'). "
        "The rest is kept."
    )
    assert opened.draft["pain_areas"] == ["knee"]
    assert opened.step == 0  # the step asking where it hurts, to check it


def test_every_mistake_in_a_link_is_named_and_every_good_answer_kept() -> None:
    opened = open_address(
        {
            "red_flags": "none",
            "habits": "slouching,juggling",
            "sitting_hours": "30",
            "colour": "blue",
            "bunions": "both",
        },
        empty_draft(),
    )
    assert opened.problem is not None and opened.problem.startswith(
        "We didn't recognise 3 of the answers in this link"
    )
    for words in ("habits: 'juggling'", "hours spent sitting: '30'", "'colour', which we do not"):
        assert words in opened.problem
    assert opened.draft["habits"] == ["slouching"] and opened.draft["bunions"] == "both"
    assert opened.safety_answered


def test_an_unknown_warning_sign_never_counts_as_none_of_these() -> None:
    opened = open_address({"red_flags": "foo", "pain_areas": "knee"}, empty_draft())
    assert not opened.safety_answered and "warning signs: 'foo'" in opened.problem


def test_a_link_without_red_flags_asks_the_safety_questions_first() -> None:
    opened = open_address({"pain_areas": "knee"}, empty_draft())
    assert opened.step == 1 and opened.then == RESULTS_STEP
    assert not opened.safety_answered


def test_red_flags_none_goes_straight_to_the_results() -> None:
    opened = open_address({"pain_areas": "knee", "red_flags": "none"}, empty_draft())
    assert opened.step == RESULTS_STEP and opened.then is None


def test_a_red_flag_link_opens_the_outcome() -> None:
    assert open_address({"red_flags": "calf_swelling"}, empty_draft()).step == RESULTS_STEP


def test_the_step_in_the_address_is_where_a_reload_lands() -> None:
    opened = open_address({"red_flags": "none", "step": "3"}, empty_draft())
    assert opened.step == 2
    assert open_address({"step": "3"}, empty_draft()).step == 1  # safety first, then step 3
    bad = open_address({"red_flags": "none", "step": "9"}, empty_draft())
    assert "the step to open: '9'" in bad.problem


def test_going_back_keeps_answers_given_on_later_steps() -> None:
    later = draft_from_raw({"pain_areas": ["knee"], "habits": ["slouching"]})
    opened = open_address({"red_flags": "none", "pain_areas": "knee", "step": "2"}, later)
    assert opened.draft["habits"] == ["slouching"]
    other = open_address({"red_flags": "none", "pain_areas": "hip", "step": "2"}, later)
    assert other.draft["habits"] == [] and other.draft["pain_areas"] == ["hip"]


def test_an_empty_questionnaire_has_nothing_to_match() -> None:
    assert nothing_to_match(draft_from_raw({"age_band": "16_49", "budget_max": 50.0}))
    assert not nothing_to_match(draft_from_raw({"habits": ["slouching"]}))


def test_a_small_number_of_sitting_hours_survives_its_own_link() -> None:
    raw = {"sitting_hours": 0.013972919334712234, "red_flags": []}
    back = read_link(link_params(raw, safety_answered=True))
    assert back.raw["sitting_hours"] == raw["sitting_hours"]


def test_a_linked_measurement_fills_its_input_and_an_emptied_input_drops_it() -> None:
    opened = open_address({"pain_areas": "knee", "knee_cm": "38", "red_flags": "none"}, {})
    assert opened.draft["knee_cm"] == 38.0  # the input on the last step shows it
    emptied = opened.draft | {"knee_cm": None}
    assert "measurements" not in raw_answers(emptied)
    # Not asked for foot pain alone, so the link's knee measurement travels on untouched.
    foot = open_address({"pain_areas": "foot", "knee_cm": "38", "red_flags": "none"}, {})
    assert raw_answers(foot.draft)["measurements"] == {"knee_cm": 38.0}
