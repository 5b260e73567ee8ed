"""The finder's outcome: product cards with feedback and advice, or a safety stop."""

from __future__ import annotations

import numpy as np
import streamlit as st

from recommender import shopping
from recommender.escaping import plain
from recommender.questionnaire import STEPS
from recommender.shopper.result import Item, Reason, Suggestion, Triage
from recommender.summary import SUMMARY_FILE_NAME, summary_markdown
from views import loading
from views.state import Finder, start_again

_STOP_TITLES = {
    "emergency": "Please get help now",
    "urgent": "Please see a doctor today",
    "see_clinician": "Please see a clinician first",
}
_FEEDBACK_BUTTONS = (
    ("helpful", "Helpful", ":material/thumb_up:", "Thanks for telling us"),
    ("not_helpful", "Not helpful", ":material/thumb_down:", "Thanks, noted"),
    ("add_to_cart", "Add to cart", ":material/add_shopping_cart:", "Added to cart"),
)


def search(state: Finder, *, up_to_step: int | None = None) -> None:
    """Run the finder on the draft, log what is shown, and move to the outcome."""
    current = loading.settings()
    with st.spinner("Finding products that fit your answers..."):
        state.shown = shopping.find_products(
            loading.engine(current),
            state.draft,
            shopping.FeedbackLog(loading.store_opener(current)),
            explore_share=current.explore_share,
            rng=np.random.default_rng(),
            up_to_step=up_to_step,
            candidate=loading.interleave_candidate(current),
        )
    state.sent = set()
    state.feedback_note = state.shown.note
    state.step = len(STEPS)


def _feedback_log() -> shopping.FeedbackLog:
    return shopping.FeedbackLog(loading.store_opener(loading.settings()))


def _triage_banner(triage: Triage) -> None:
    if triage.level in ("emergency", "urgent"):
        st.error(plain(triage.message), icon=":material/emergency:")
    elif triage.level == "see_clinician":
        st.warning(plain(triage.message), icon=":material/stethoscope:")


def _record(state: Finder, item: Item, event: str) -> None:
    note = _feedback_log().record_event(state.shown.session_id, item, event)
    if note is None:
        state.sent.add((item.sku, event))
    state.feedback_note = note


def _reason(reason: Reason) -> None:
    st.markdown(f"- {plain(reason.text)}  \n  _Article section: {plain(reason.section)}_")


def _card(state: Finder, item: Item) -> None:
    engine = loading.engine(loading.settings())
    with st.container(border=True):
        st.markdown(f"#### {item.rank}. {plain(item.name)}")
        st.caption(
            f"{plain(shopping.category_label(item.category))} · {shopping.price_text(item.price)}"
        )
        first, *more = item.reasons
        _reason(first)
        if more:
            # One reason up front keeps cards short on a phone; the rest are a tap away.
            with st.expander(f"More reasons ({len(more)})"):
                for reason in more:
                    _reason(reason)
        for caution in item.cautions:
            st.warning(plain(caution), icon=":material/info:")
        if st.toggle("More about this product", key=f"more_{item.sku}"):
            st.markdown(plain(shopping.product_description(engine, item.sku)))
            if (item.sku, "click") not in state.sent:
                _record(state, item, "click")
        with st.expander("Why this order"):
            for line in shopping.score_lines(item):
                st.markdown(f"**{line.label}: {line.value:.2f}**, {line.meaning}")
            st.caption(f"Total {item.score:.2f}; a higher total comes first.")
        with st.container(horizontal=True):
            for event, label, icon, done in _FEEDBACK_BUTTONS:
                sent = (item.sku, event) in state.sent
                if st.button(
                    done if sent else label, icon=icon, disabled=sent, key=f"{event}_{item.sku}"
                ):
                    _record(state, item, event)
                    st.rerun()


def _nothing_fits(state: Finder, suggestions: tuple[Suggestion, ...]) -> None:
    st.info("Nothing in the catalog fits all of your answers.", icon=":material/search_off:")
    for number, suggestion in enumerate(suggestions):
        st.markdown(plain(suggestion.text))
        label = shopping.change_label(suggestion)
        if label and st.button(label, type="primary", key=f"apply_{number}"):
            state.draft = shopping.apply_change(state.draft, suggestion)
            search(state)
            st.rerun()


def _summary_download(state: Finder, held: tuple[shopping.HeldBack, ...]) -> None:
    shown = state.shown
    st.download_button(
        "Download a summary for your doctor or physio",
        summary_markdown(shown.answers, shown.result, held),
        file_name=SUMMARY_FILE_NAME,
        mime="text/markdown",
        icon=":material/download:",
        key="summary",
    )


def _restart_buttons(state: Finder) -> None:
    with st.container(horizontal=True):
        if st.button("Change my answers", icon=":material/edit:", key="change"):
            state.step = 0 if state.shown.stopped else len(STEPS) - 1
            state.shown = None
            st.rerun()
        if st.button("Start again", icon=":material/restart_alt:", key="restart"):
            start_again()
            st.rerun()


def show_stop(state: Finder) -> None:
    triage = state.shown.result.triage
    st.title(_STOP_TITLES.get(triage.level, "Please get checked first"))
    _triage_banner(triage)
    st.markdown(
        "Your answers are kept: choose **Change my answers** if you ticked something by mistake."
    )
    _summary_download(state, ())
    _restart_buttons(state)


def show_results(state: Finder) -> None:
    shown = state.shown
    result = shown.result
    engine = loading.engine(loading.settings())
    st.title("Your matches")
    for note in shopping.shopper_notes(result, state.feedback_note):
        st.caption(plain(note))
    _triage_banner(result.triage)
    products, advice = st.columns([3, 2], gap="medium")
    with products:
        if shown.policy == "explore":
            st.caption("This list is in a shuffled order, which helps us learn what helps.")
        for item in result.items:
            _card(state, item)
        if not result.items:
            _nothing_fits(state, result.suggestions)
    with advice:
        st.subheader("Looking after yourself")
        for line in result.advice:
            st.markdown(f"- {plain(line.text)}  \n  _Article section: {plain(line.section)}_")
        if not result.advice:
            st.caption("No self-care ideas for these answers.")
    held = shopping.held_back(result.excluded, engine)
    if held:
        with st.expander(f"Held back, and why ({len(held)})"):
            for row in held:
                st.markdown(f"- **{plain(row.name)}**: {plain(row.why)}")
    _summary_download(state, held)
    _restart_buttons(state)
