"""The shopper's product finder: the questionnaire in steps, then the results or a safety stop."""

from __future__ import annotations

from typing import Any

import streamlit as st

from recommender.escaping import plain
from recommender.shop import funnel, shopping
from recommender.shop.finder_flow import Place, back, flag_screens, forward, gate, screen_at
from recommender.shop.questionnaire import (
    CHECKS,
    MEASURE,
    MULTI,
    NUMBER,
    SAFETY_STEP,
    STEPS,
    Question,
)
from recommender.shopper.coverage import FlagScreen
from views import address, loading, style
from views.results import RESULTS_TITLE, search, show_results, show_stop, stop_title
from views.state import Finder, finder

RESULTS_STEP = len(STEPS)


def _checks(question: Question, draft: dict[str, Any], screen: FlagScreen | None) -> None:
    """One screen's tick boxes; ticks given on the other screens are kept as they are."""
    value = draft[question.field]
    shown = screen.flags if screen is not None else question.options
    st.markdown(f"**{question.label}**")
    picked = {
        option
        for option in shown
        if st.checkbox(question.label_of(option), value=option in value, key=f"flag_{option}")
    }
    elsewhere = {option for option in value if option not in shown}
    draft[question.field] = [o for o in question.options if o in picked | elsewhere]


def _question(question: Question, draft: dict[str, Any], screen: FlagScreen | None) -> None:
    """One widget, filled from the draft so answers survive going back and forth."""
    key, value = f"q_{question.field}", draft[question.field]
    if question.kind == CHECKS:
        _checks(question, draft, screen)
    elif question.kind == MULTI:
        draft[question.field] = st.pills(
            question.label,
            question.options,
            selection_mode="multi",
            default=value,
            format_func=question.label_of,
            key=key,
        )
    elif question.kind in (MEASURE, NUMBER):
        draft[question.field] = _number(question, value, key)
    else:
        options = question.options_for(value)
        draft[question.field] = st.radio(
            question.label,
            options,
            index=options.index(value) if value in options else None,
            format_func=question.label_of,
            horizontal=True,
            key=key,
        )


# Measurements step by half a centimetre (or half a shoe size) and say what they are for.
_NUMBER_INPUTS = {MEASURE: (0.5, "Optional, for the right size"), NUMBER: (1.0, "Not answered")}


def _number(question: Question, value: float | None, key: str) -> float | None:
    low, high = question.bounds
    step, placeholder = _NUMBER_INPUTS[question.kind]
    measure = question.kind == MEASURE
    number = st.number_input(
        question.label,
        min_value=low,
        max_value=high,
        value=value,
        step=step,
        format="%g",  # "39", not "39.00"; a half size still shows as "36.5"
        placeholder=placeholder,
        help=None if measure else question.help or None,
        key=key,
    )
    if measure:  # said under the box, not in a tooltip: a phone has no hover
        st.caption(f"How to measure: {question.help}")
    return number


def _questionnaire(state: Finder) -> None:
    step_index = state.step
    step = STEPS[step_index]
    place = Place(step_index, state.screen)
    screen = screen_at(state.draft, place)
    st.progress((step_index + 1) / len(STEPS), text=f"Step {step_index + 1} of {len(STEPS)}")
    st.header(step.title, anchor=False)
    st.caption(step.intro)
    if state.notice:
        st.warning(plain(state.notice), icon=":material/info:")
    if screen is not None:
        count = len(flag_screens(state.draft))
        part = min(state.screen, count - 1) + 1
        st.subheader(f"{screen.title} (part {part} of {count})", anchor=False)
    for question in step.questions:
        if question.is_asked(state.draft):
            _question(question, state.draft, screen)
    last = step_index == len(STEPS) - 1
    with st.container(horizontal=True):
        went_back = st.button(
            "Back", icon=":material/arrow_back:", disabled=step_index == 0, key="back"
        )
        went_forward = st.button(
            "Show my matches" if last else "Next",
            icon=":material/search:" if last else ":material/arrow_forward:",
            type="primary",
            key="next",
        )
    with st.container(key=style.KEYBOARD_HINT_KEY):
        st.caption(style.KEYBOARD_HINT)
    if went_back:
        earlier = back(place, state.draft)
        state.step, state.screen, state.notice = earlier.step, earlier.screen, None
        st.rerun()
    if went_forward:
        _go_forward(state, place)


def _go_forward(state: Finder, place: Place) -> None:
    engine = loading.engine(loading.settings())
    state.notice = None
    following, state.asked = forward(place, state.draft, state.asked)
    on_safety = place.step == SAFETY_STEP
    if on_safety and shopping.safety_stop(engine, state.draft) is not None:
        search(state, up_to_step=SAFETY_STEP)  # a warning sign: no need to ask the rest
    elif on_safety and following.step > SAFETY_STEP and state.then is not None:
        # A shared link asked the safety questions first; now it goes where it was going.
        then, state.then = state.then, None
        _move(state, gate(Place(then), state.draft, state.asked))
    else:
        _move(state, following)
    st.rerun()


def _move(state: Finder, place: Place) -> None:
    if place.step >= RESULTS_STEP:
        address.show_outcome(state)
    else:
        state.step, state.screen = place.step, place.screen


def render() -> None:
    """The product finder: the questionnaire steps, then results or the stop."""
    loading.settings()  # a refused setting stops the page here, by name, before any question
    state = finder()
    address.follow(state)
    if state.step < RESULTS_STEP or state.shown is None:
        state.step = min(state.step, RESULTS_STEP - 1)
        st.title("Find a support that fits", anchor=False)
        _questionnaire(state)
        title = STEPS[state.step].title
        style.arrive(
            f"step-{state.step}-{state.screen}",
            title,
            f"Step {state.step + 1} of {len(STEPS)}: {title}",
        )
        loading.count_stage(state.reached, funnel.step_stage(state.step))
    elif state.shown.stopped:
        show_stop(state)
        loading.count_stage(state.reached, funnel.SAFETY_STOP)
        title = stop_title(state.shown.result.triage)
        style.arrive(f"outcome-{id(state.shown)}", title, title)
    else:
        show_results(state)
        loading.count_stage(state.reached, funnel.RESULTS)
        address.share_box(state)
        count = len(state.shown.result.items)
        style.arrive(
            f"outcome-{id(state.shown)}", RESULTS_TITLE, f"{RESULTS_TITLE}: {count} products"
        )
    address.write(state)
    st.divider()
    st.page_link("views/merchandiser.py", label="Staff sign-in", icon=":material/badge:")


render()
