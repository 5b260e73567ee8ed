"""The one trigger mechanism: a table's compiled matrix agrees with each condition read alone,
and a shopper's own words explain why a condition held."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.shopper.answers import parse_answers
from recommender.shopper.conditions import Condition, ConditionMatrix
from recommender.shopper.features import answer_features

NAMES = ("bunions", "knee_pain", "back_pain", "sits_long", "runs", "flat_feet")
names = st.lists(st.sampled_from(NAMES), unique=True, max_size=3).map(tuple)
conditions = st.builds(Condition, when=names, any=names, unless=names)


@settings(max_examples=200, deadline=None)
@given(st.lists(conditions, min_size=1, max_size=8), st.frozensets(st.sampled_from(NAMES)))
def test_the_compiled_table_fires_exactly_the_conditions_that_hold(table, features) -> None:
    fired = ConditionMatrix(table).holding(features)
    assert list(fired) == [condition.holds(features) for condition in table]


def test_an_unless_feature_stops_a_condition_that_would_otherwise_hold() -> None:
    condition = Condition(when=("knee_pain",), unless=("red_flag",))
    assert condition.holds(frozenset({"knee_pain"}))
    assert not condition.holds(frozenset({"knee_pain", "red_flag"}))


def test_any_needs_at_least_one_of_its_features() -> None:
    condition = Condition(any=("runs", "walks"))
    assert not condition.holds(frozenset({"sits_long"}))
    assert condition.holds(frozenset({"walks"}))


def test_the_reason_names_what_the_shopper_told_us_in_plain_words() -> None:
    answers = parse_answers({"pain_areas": ["knee", "lower_back"], "bunions": "both"})
    features = answer_features(answers)
    condition = Condition(when=("pain:knee",), any=("bunions:yes", "pain:neck"))
    assert condition.evidence(features) == ("pain:knee", "bunions:yes")
    assert condition.told(answers, features) == "knee pain and bunions"
