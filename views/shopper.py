"""The shopper's product finder: the questionnaire in steps, then the results or a safety stop."""

from __future__ import annotations

from typing import Any

import streamlit as st

from recommender import shopping
from recommender.questionnaire import (
    CHECKS,
    MEASURE,
    MULTI,
    NUMBER,
    SAFETY_STEP,
    STEPS,
    Question,
)
from views import loading
from views.results import search, show_results, show_stop
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
    elif question.kind == MEASURE:
        low, high = question.bounds
        draft[question.field] = st.number_input(
            question.label,
            min_value=low,
            max_value=high,
            value=value,
            step=0.5,
            placeholder="Optional, for the right size",
            key=key,
        )
        st.caption(f"How to measure: {question.help}")
    elif question.kind == NUMBER:
        low, high = question.bounds
        draft[question.field] = st.number_input(
            question.label,
            min_value=low,
            max_value=high,
            value=value,
            step=1.0,
            placeholder="Not answered",
            help=question.help or None,
            key=key,
        )
    else:
        options = question.options
        draft[question.field] = st.radio(
            question.label,
            options,
            index=options.index(value) if value in options else None,
            format_func=question.label_of,
            horizontal=True,
            key=key,
        )


def _questionnaire(state: Finder) -> None:
    step_index = state.step
    step = STEPS[step_index]
    st.progress((step_index + 1) / len(STEPS), text=f"Step {step_index + 1} of {len(STEPS)}")
    st.subheader(step.title)
    st.caption(step.intro)
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
    if back:
        state.step = step_index - 1
        st.rerun()
    if forward:
        _go_forward(state, step_index)


def _go_forward(state: Finder, step_index: int) -> None:
    engine = loading.engine(loading.settings())
    stop = step_index == SAFETY_STEP and shopping.safety_stop(engine, state.draft) is not None
    if stop:
        search(state, up_to_step=SAFETY_STEP)
    elif step_index == len(STEPS) - 1:
        search(state)
    else:
        state.step = step_index + 1
    st.rerun()


def render() -> None:
    state = finder()
    if state.step < RESULTS_STEP or state.shown is None:
        state.step = min(state.step, RESULTS_STEP - 1)
        st.title("Find a support that fits")
        _questionnaire(state)
    elif state.shown.stopped:
        show_stop(state)
    else:
        show_results(state)


render()
