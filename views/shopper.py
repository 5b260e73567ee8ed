"""The shopper's product finder: the questionnaire in steps, then the results or a safety stop."""

from __future__ import annotations

from typing import Any

import streamlit as st

from recommender.escaping import plain
from recommender.shop import funnel, shopping
from recommender.shop.questionnaire import (
    CHECKS,
    MEASURE,
    MULTI,
    NUMBER,
    SAFETY_STEP,
    STEPS,
    Question,
)
from views import address, loading, style
from views.results import RESULTS_TITLE, search, show_results, show_stop, stop_title
from views.state import Finder, finder

RESULTS_STEP = len(STEPS)


def _question(question: Question, draft: dict[str, Any]) -> None:
    """One widget, filled from the draft so answers survive going back and forth."""
    key, value = f"q_{question.field}", draft[question.field]
    if question.kind == CHECKS:
        st.markdown(f"**{question.label}**")
        picked = [
            option
            for option in question.options
            if st.checkbox(question.label_of(option), value=option in value, key=f"flag_{option}")
        ]
        draft[question.field] = picked
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
    st.progress((step_index + 1) / len(STEPS), text=f"Step {step_index + 1} of {len(STEPS)}")
    st.header(step.title, anchor=False)
    st.caption(step.intro)
    if state.notice:
        st.warning(plain(state.notice), icon=":material/info:")
    for question in step.questions:
        if question.is_asked(state.draft):
            _question(question, state.draft)
    last = step_index == len(STEPS) - 1
    with st.container(horizontal=True):
        back = st.button("Back", icon=":material/arrow_back:", disabled=step_index == 0, key="back")
        forward = st.button(
            "Show my matches" if last else "Next",
            icon=":material/search:" if last else ":material/arrow_forward:",
            type="primary",
            key="next",
        )
    st.caption(style.KEYBOARD_HINT)
    if back:
        state.step, state.notice = step_index - 1, None
        st.rerun()
    if forward:
        _go_forward(state, step_index)


def _go_forward(state: Finder, step_index: int) -> None:
    engine = loading.engine(loading.settings())
    state.notice = None
    if step_index == SAFETY_STEP:
        state.safety_answered = True
    stop = step_index == SAFETY_STEP and shopping.safety_stop(engine, state.draft) is not None
    if stop:
        search(state, up_to_step=SAFETY_STEP)
    elif step_index == SAFETY_STEP and state.then is not None:
        # A shared link asked the safety questions first; now it goes where it was going.
        then, state.then = state.then, None
        if then >= RESULTS_STEP:
            address.show_outcome(state)
        else:
            state.step = then
    elif step_index == len(STEPS) - 1:
        address.show_outcome(state)
    else:
        state.step = step_index + 1
    st.rerun()


def render() -> None:
    """The product finder: the questionnaire steps, then results or the stop."""
    state = finder()
    address.follow(state)
    if state.step < RESULTS_STEP or state.shown is None:
        state.step = min(state.step, RESULTS_STEP - 1)
        st.title("Find a support that fits", anchor=False)
        _questionnaire(state)
        title = STEPS[state.step].title
        style.arrive(f"step-{state.step}", title, f"Step {state.step + 1} of {len(STEPS)}: {title}")
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
