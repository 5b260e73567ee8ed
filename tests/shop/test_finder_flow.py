"""The finder's way through its steps: where it hurts first, then only the warning signs that
can apply, a few at a time, and never a result before every one of them was asked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from recommender.shop.finder_flow import (
    RESULTS_STEP,
    Place,
    back,
    flag_screens,
    forward,
    open_address,
    screen_at,
)
from recommender.shop.questionnaire import SAFETY_STEP, STEPS, WHERE_IT_HURTS_STEP, empty_draft
from recommender.shopper.answers import LIST_CHOICES
from recommender.shopper.coverage import MAX_FLAGS_PER_SCREEN, red_flags_to_ask

AREAS = LIST_CHOICES["pain_areas"]


def test_the_finder_asks_where_it_hurts_before_any_warning_sign() -> None:
    assert WHERE_IT_HURTS_STEP == 0 < SAFETY_STEP
    assert STEPS[0].questions[0].field == "pain_areas"
    assert "red_flags" not in [q.field for q in STEPS[0].questions]


def test_a_knee_shopper_walks_three_short_screens_then_the_rest() -> None:
    draft = empty_draft() | {"pain_areas": ["knee"]}
    place, asked, seen = Place(WHERE_IT_HURTS_STEP), frozenset(), []
    while place.step == WHERE_IT_HURTS_STEP or place.step == SAFETY_STEP:
        place, asked = forward(place, draft, asked)
        screen = screen_at(draft, place)
        if screen is not None:
            seen.append(screen.flags)
    assert place == Place(SAFETY_STEP + 1)
    assert all(len(flags) <= MAX_FLAGS_PER_SCREEN for flags in seen)
    assert sorted(f for flags in seen for f in flags) == sorted(red_flags_to_ask(["knee"]))
    assert "knee_locked" in asked and "back_swelling_or_deformity" not in asked


def test_back_goes_through_the_screens_one_by_one() -> None:
    draft = empty_draft() | {"pain_areas": ["knee", "lower_back"]}
    last = len(flag_screens(draft)) - 1
    assert back(Place(SAFETY_STEP + 1), draft) == Place(SAFETY_STEP, last)
    assert back(Place(SAFETY_STEP, 1), draft) == Place(SAFETY_STEP, 0)
    assert back(Place(SAFETY_STEP, 0), draft) == Place(WHERE_IT_HURTS_STEP)


def test_adding_an_area_later_asks_its_warning_signs_before_the_results() -> None:
    draft = empty_draft() | {"pain_areas": ["lower_back"]}
    asked = frozenset(red_flags_to_ask(["lower_back"]))
    draft["pain_areas"] = ["lower_back", "knee"]  # went back and added the knee
    place, asked = forward(Place(len(STEPS) - 1), draft, asked)
    assert place.step == SAFETY_STEP
    assert "knee_locked" in screen_at(draft, place).flags


def test_a_link_with_red_flags_none_counts_its_areas_as_asked() -> None:
    opened = open_address({"pain_areas": "foot", "red_flags": "none"}, empty_draft())
    assert opened.step == RESULTS_STEP and opened.asked == frozenset(red_flags_to_ask(["foot"]))


# One shopper's taps: pick areas on the first step, Next, Back, or tick a warning sign.
_ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("areas"), st.lists(st.sampled_from(AREAS), unique=True)),
        st.tuples(st.just("next"), st.none()),
        st.tuples(st.just("back"), st.none()),
    ),
    max_size=40,
)


@given(start=st.lists(st.sampled_from(AREAS), unique=True), actions=_ACTIONS)
def test_no_warning_sign_tied_to_a_chosen_area_can_be_skipped_on_the_way_to_results(
    start: list[str], actions: list[tuple[str, list[str] | None]]
) -> None:
    draft = empty_draft() | {"pain_areas": start}
    place, asked = Place(WHERE_IT_HURTS_STEP), frozenset[str]()
    shown_and_passed: set[str] = set()  # boxes on a screen the shopper pressed Next on
    # The shopper's taps, then Next until the finder shows results (it always does).
    for action, areas in [*actions, *[("next", None)] * 20]:
        if action == "areas" and place.step == WHERE_IT_HURTS_STEP:
            draft["pain_areas"] = areas
        elif action == "back":
            place = back(place, draft)
        elif action == "next":
            screen = screen_at(draft, place)
            if screen is not None:
                assert len(screen.flags) <= MAX_FLAGS_PER_SCREEN
                shown_and_passed |= set(screen.flags)
            place, asked = forward(place, draft, asked)
        if place.step > SAFETY_STEP:  # past the safety check, or at the results
            needed = set(red_flags_to_ask(draft["pain_areas"]))
            assert needed <= shown_and_passed, sorted(needed - shown_and_passed)
    assert place.step == RESULTS_STEP
