"""Answers are validated once, at the edge, with a message that names the field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from recommender.errors import AnswersError, InputError
from recommender.shopper.answers import MAX_ANSWERS_BYTES, parse_answers, parse_answers_json
from tests.strategies import raw_answers


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"elbow_pain": True}, "elbow_pain", "not a known field"),
        ({"pain_areas": "knee"}, "pain_areas", "expected a list"),
        ({"pain_areas": ["knee", "knee"]}, "pain_areas", "listed twice"),
        ({"pain_areas": ["elbow"]}, "pain_areas", "not one of"),
        ({"sitting_hours": 25}, "sitting_hours", "out of range"),
        ({"sitting_hours": True}, "sitting_hours", "expected a number"),
        ({"weight_kg": "80"}, "weight_kg", "expected a number"),
        ({"sitting_hours": float("nan")}, "sitting_hours", "finite number"),
        ({"budget_max": float("inf")}, "budget_max", "finite number"),
        ({"schema_version": True}, "schema_version", "must be 1"),
        ({"schema_version": 1.0}, "schema_version", "must be 1"),
        ({"height_cm": 99}, "height_cm", "out of range"),
        ({"budget_max": 0}, "budget_max", "above 0"),
        ({"schema_version": 2}, "schema_version", "must be 1"),
        ({"bunions": "maybe"}, "bunions", "not one of"),
        ({"age_band": 30}, "age_band", "expected text"),
        ({"body_mass_band": "high"}, "body_mass_band", "not a known field"),
        ({"pain_started": "last_year"}, "pain_started", "not one of"),
        ({"pain_started": 3}, "pain_started", "expected text"),
        ({"risk_factors": ["broken_leg"]}, "risk_factors", "not one of"),
        ({"risk_factors": "recent_fall"}, "risk_factors", "expected a list"),
        ({"risk_factors": ["recent_fall", "recent_fall"]}, "risk_factors", "listed twice"),
        ({"red_flags": ["sciatica_one_leg"]}, "red_flags", "not one of"),
        ({"measurements": [38]}, "measurements", "expected an object"),
        ({"measurements": {"neck_cm": 38}}, "measurements.neck_cm", "not one of"),
        ({"measurements": {"knee_cm": 19}}, "measurements.knee_cm", "out of range"),
        ({"measurements": {"shoe_eu": 53}}, "measurements.shoe_eu", "out of range"),
        ({"measurements": {"waist_cm": "90"}}, "measurements.waist_cm", "expected a number"),
        ({"measurements": {"calf_cm": True}}, "measurements.calf_cm", "expected a number"),
    ],
)
def test_bad_answers_are_refused_with_the_field_named(raw, field, words):
    with pytest.raises(AnswersError) as caught:
        parse_answers(raw)
    assert caught.value.field == field
    assert field in str(caught.value) and words in str(caught.value)


def test_a_non_object_is_refused():
    with pytest.raises(AnswersError, match="expected a JSON object"):
        parse_answers(["knee"])


def test_an_oversized_document_is_refused_before_parsing():
    huge = '{"pain_areas": [' + '"knee",' * (MAX_ANSWERS_BYTES // 7) + '"knee"]}'
    with pytest.raises(InputError, match="larger than"):
        parse_answers_json(huge)


def test_broken_json_is_named():
    with pytest.raises(InputError, match="not valid JSON"):
        parse_answers_json('{"pain_areas": [')


def test_height_and_weight_become_a_band_and_are_never_kept():
    answers = parse_answers({"height_cm": 180, "weight_kg": 70})
    record = answers.to_record()
    assert record == {"schema_version": 1, "body_mass_band": "typical"}
    assert "height_cm" not in json.dumps(record)


def test_height_alone_says_nothing_about_body_mass():
    assert parse_answers({"height_cm": 180}).body_mass_band is None


@given(raw=raw_answers())
def test_a_stored_record_reads_back_as_the_same_answers(raw):
    answers = parse_answers(raw)
    assert parse_answers(answers.to_record(), allow_derived=True) == answers


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_a_json_document_are_refused_naming_the_field(constant):
    with pytest.raises(AnswersError, match=r"sitting_hours.*finite number"):
        parse_answers_json(f'{{"sitting_hours": {constant}}}')


def test_a_field_given_twice_is_refused_rather_than_one_value_silently_winning():
    with pytest.raises(AnswersError) as caught:
        parse_answers_json('{"pain_areas": ["knee"], "pain_areas": ["hip"]}')
    assert caught.value.field == "pain_areas" and "twice" in str(caught.value)


def test_deeply_nested_json_is_refused_as_bad_input_not_a_crash():
    nested = '{"pain_areas": ' + "[" * 20000 + "]" * 20000 + "}"
    with pytest.raises(InputError, match="nested too deeply"):
        parse_answers_json(nested)


def test_the_new_health_answers_and_measurements_are_kept_and_read_back():
    raw = {
        "pain_started": "under_6_weeks",
        "risk_factors": ["osteoporosis", "recent_fall"],
        "measurements": {"knee_cm": 38, "shoe_eu": 42.5},
    }
    answers = parse_answers(raw)
    assert answers.pain_started == "under_6_weeks"
    assert answers.risk_factors == {"osteoporosis", "recent_fall"}
    assert dict(answers.measurements) == {"knee_cm": 38.0, "shoe_eu": 42.5}
    record = answers.to_record()
    assert record["measurements"] == {"knee_cm": 38.0, "shoe_eu": 42.5}
    assert parse_answers(json.loads(json.dumps(record))) == answers
