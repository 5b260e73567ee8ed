"""The finder's place in the browser's address (SPEC section 9): read it, follow it, write it.

The address leads when it changed behind the page's back (a shared link, a reload, the
browser's Back or Forward); otherwise the page's state leads and is written back. Streamlit
pushes a history entry for every change of `st.query_params`, so each step the shopper moves
to is one Back press away; a widget change on a step does not touch the address.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from recommender.shop import shopping
from recommender.shop.finder_flow import (
    NOTHING_TO_MATCH,
    RESULTS_STEP,
    WHERE_IT_HURTS_STEP,
    Place,
    address,
    gate,
    nothing_to_match,
    open_address,
    safety_done,
)
from recommender.shop.links import STEP_PARAM
from recommender.shop.questionnaire import raw_answers
from recommender.shopper.answers import Answers, parse_answers
from views import loading, style
from views.results import search
from views.state import Finder


def follow(state: Finder) -> None:
    """Move the finder to what the address says, if it changed since we last wrote it."""
    params = st.query_params.to_dict()
    if params == state.address or (state.address is None and not params):
        return
    opening = open_address(params, state.draft)
    if opening.draft != state.draft:
        _forget_widgets()  # keyed widgets would otherwise keep showing the old answers
    state.draft = opening.draft
    state.asked = opening.asked
    state.then = opening.then
    state.notice = opening.problem
    state.address = params
    if opening.step < RESULTS_STEP:
        state.step, state.screen, state.shown = opening.step, 0, None
    elif state.shown is None or state.shown.answers != _answers(state):
        show_outcome(state, explore=False)  # a link or a reload opens the ranked list
    else:  # Back or Forward onto results already shown in this session
        state.step = RESULTS_STEP


def show_outcome(state: Finder, *, explore: bool = True) -> None:
    """The results for the draft; the safety check first while a warning sign that could apply
    was not asked; or a guide back to the questions when there is nothing to match (an empty
    questionnaire never shows "Your matches" above nothing). `explore=False` (a shared link or
    a reload) always shows the ranked list."""
    engine = loading.engine(loading.settings())
    stopped = shopping.safety_stop(engine, state.draft) is not None
    first_unasked = gate(Place(RESULTS_STEP), state.draft, state.asked)
    if first_unasked.step < RESULTS_STEP and not stopped:
        state.step, state.screen, state.shown = first_unasked.step, first_unasked.screen, None
        state.then = RESULTS_STEP
    elif nothing_to_match(state.draft) and not stopped:
        state.step, state.screen, state.shown = WHERE_IT_HURTS_STEP, 0, None
        state.notice = NOTHING_TO_MATCH
    else:
        search(state, explore=explore)


def write(state: Finder) -> None:
    """Put the shopper's place in the address when they moved to another step (or the results
    changed): ticking boxes on one step adds no history entry, so Back goes back a step."""
    answered = safety_done(state.draft, state.asked)
    wanted = address(state.draft, state.step, safety_answered=answered)
    if wanted == {STEP_PARAM: "1"}:
        wanted = {}  # a fresh start is the bare address
    current = st.query_params.to_dict()
    moved = wanted.get(STEP_PARAM) != current.get(STEP_PARAM) or state.step == RESULTS_STEP
    if wanted != current and moved:
        st.query_params.from_dict(wanted)
        state.address = wanted


SHARE_OPEN = "share_open"
SHARE_WARNING = (
    "This link holds your answers, health details included (where it hurts, warning signs, "
    "conditions). Anyone you send it to, and anything that stores it, can read them. Share it "
    "only with people you would tell."
)


def share_box(state: Finder) -> None:
    """The link to these results, under a plain warning that it carries health answers."""
    box = st.expander(
        "Share or save these results", icon=":material/link:", key=SHARE_OPEN, on_change="rerun"
    )
    with box:
        if not box.open:
            return  # built when opened: the results page stays light on a phone
        st.warning(SHARE_WARNING, icon=":material/health_and_safety:")
        query = urlencode(address(state.draft, RESULTS_STEP, safety_answered=True), safe=",")
        base = (st.context.url or "").split("?", 1)[0]  # no URL outside a browser (AppTest)
        with st.container(key=style.SHARE_KEY):
            st.caption(shopping.share_note(state.shown))
            st.caption("Copy the link with the button at its right:")
            st.code(f"{base}?{query}", language=None, wrap_lines=True)


def _answers(state: Finder) -> Answers:
    return parse_answers(raw_answers(state.draft))


def _forget_widgets() -> None:
    for key in [k for k in st.session_state if str(k).startswith(("q_", "flag_"))]:
        del st.session_state[key]
