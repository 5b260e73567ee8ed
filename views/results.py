"""The finder's outcome: product cards with feedback and advice, or a safety stop."""

from __future__ import annotations

import numpy as np
import streamlit as st

from recommender.escaping import plain
from recommender.shop import shopping
from recommender.shop.questionnaire import STEPS
from recommender.shop.summary import SUMMARY_FILE_NAME, SUMMARY_MIME, summary_html
from recommender.shopper.result import Item, Suggestion, Triage
from views import loading
from views.card import compare_tray, product_card
from views.state import Finder, start_again

_STOP_TITLES = {
    "emergency": "Please get help now",
    "urgent": "Please see a doctor today",
    "see_clinician": "Please see a clinician first",
}
RESULTS_TITLE = "Your matches"


def stop_title(triage: Triage) -> str:
    """The stop page's title for the triage level."""
    return _STOP_TITLES.get(triage.level, "Please get checked first")


def search(state: Finder, *, up_to_step: int | None = None, explore: bool = True) -> None:
    """Run the finder on the draft, log what is shown, and move to the outcome.

    `explore=False` (a shared link being opened) always shows the ranked list."""
    current = loading.settings()
    with st.spinner("Finding products that fit your answers..."):
        state.shown = shopping.find_products(
            loading.engine(current),
            state.draft,
            shopping.FeedbackLog(loading.store_opener(current)),
            explore_share=current.explore_share if explore else 0.0,
            explore_top_n=current.explore_top_n,
            rng=np.random.default_rng(),
            up_to_step=up_to_step,
            candidate=loading.interleave_candidate(current),
        )
    state.sent = set()
    for key in [k for k in st.session_state if str(k).startswith("compare_")]:
        del st.session_state[key]  # a new list starts with nothing ticked to compare
    state.feedback_note = state.shown.note
    state.step = len(STEPS)


def _feedback_log() -> shopping.FeedbackLog:
    return shopping.FeedbackLog(loading.store_opener(loading.settings()))


def _triage_banner(triage: Triage) -> None:
    if triage.is_urgent:
        st.error(plain(triage.message), icon=":material/emergency:")
    elif triage.level == "see_clinician":
        st.warning(plain(triage.message), icon=":material/stethoscope:")


def _record(state: Finder, item: Item, event: str) -> None:
    assert state.shown is not None  # a card is drawn only for a shown result
    note = _feedback_log().record_event(state.shown.session_id, item, event)
    if note is None:
        state.sent.add((item.sku, event))
    state.feedback_note = note


def _nothing_fits(state: Finder, suggestions: tuple[Suggestion, ...]) -> None:
    st.info("Nothing in the catalog fits all of your answers.", icon=":material/search_off:")
    for number, suggestion in enumerate(suggestions):
        st.markdown(plain(suggestion.text))
        label = shopping.change_label(suggestion, loading.settings().money)
        if label and st.button(label, type="primary", key=f"apply_{number}"):
            state.draft = shopping.apply_change(state.draft, suggestion)
            search(state)
            st.rerun()


def _summary_download(state: Finder, held: tuple[shopping.HeldBack, ...]) -> None:
    shown = state.shown
    assert shown is not None  # offered only beside a shown result
    st.download_button(
        "Download a summary for your doctor or physio (a page to print)",
        summary_html(shown.answers, shown.result, held, money=loading.settings().money),
        file_name=SUMMARY_FILE_NAME,
        mime=SUMMARY_MIME,
        key="summary",
    )


def _restart_buttons(state: Finder) -> None:
    with st.container(horizontal=True):
        if st.button("Change my answers", icon=":material/edit:", key="change"):
            state.step, state.screen = 0, 0
            state.shown = None
            st.rerun()
        if st.button("Start again", icon=":material/restart_alt:", key="restart"):
            start_again()
            st.rerun()


def show_stop(state: Finder) -> None:
    """The stop page for a red flag: the next step, and no products."""
    assert state.shown is not None  # the stop is drawn only for a shown result
    triage = state.shown.result.triage
    st.title(stop_title(triage), anchor=False)
    _triage_banner(triage)
    st.markdown(
        "Your answers are kept: choose **Change my answers** if you ticked something by mistake."
    )
    _summary_download(state, ())
    _restart_buttons(state)


def show_results(state: Finder) -> None:
    """The results page: products with reasons, advice, held-back products and feedback buttons."""
    shown = state.shown
    assert shown is not None  # drawn only once products were found
    result = shown.result
    engine = loading.engine(loading.settings())
    st.title(RESULTS_TITLE, anchor=False)
    for note in shopping.shopper_notes(result, state.feedback_note):
        st.caption(plain(note))
    _triage_banner(result.triage)
    products, advice = st.columns([3, 2], gap="medium")
    with products:
        if shown.policy == "explore":
            st.caption(
                "This list shows the best matches for your answers in a shuffled order, "
                "which helps us learn what helps."
            )
        for item in result.items:
            product_card(state, item, _record)
        compare_tray(result.items, shown.answers)
        if not result.items:
            _nothing_fits(state, result.suggestions)
    with advice:
        st.header("Looking after yourself", anchor=False)
        if result.advice:  # one list, one element
            st.markdown(
                "\n".join(
                    f"- {plain(line.text)}  \n  _Article section: {plain(line.section)}_"
                    for line in result.advice
                )
            )
        else:
            st.caption("No self-care ideas for these answers.")
    held = shopping.held_back(result.excluded, engine)
    if held:
        with st.expander(f"Held back, and why ({len(held)})"):
            for row in held:
                st.markdown(f"- **{plain(row.name)}**: {plain(row.why)}")
    _summary_download(state, held)
    _restart_buttons(state)
