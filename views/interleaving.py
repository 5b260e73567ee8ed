"""The Analytics page's interleaving section: which ranking shoppers preferred, side by side.

Layout only: the numbers come from `training.interleaving`, the named candidate from the
registry folder. Called from views/analyst.py with the events it has already read.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender.errors import RecommenderError
from recommender.escaping import plain
from recommender.model.interleave_candidate import named_candidate
from recommender.settings import Settings
from training.interleaving import NO_DATA, interleaving_report, report_table
from views import loading

EXPLAINED = (
    "A share of sessions saw the candidate's ranking and the served one interleaved in one "
    "list. A session is won by the ranking whose products got more clicks, adds to cart and "
    "purchases; ties tell nothing. `candidate share` is the candidate's share of the won "
    "sessions; `low` and `high` bound its 95% interval. Above 0.5 as a whole: shoppers "
    "preferred the candidate."
)


def show(settings: Settings, events: pd.DataFrame) -> None:
    """The Analytics page's interleaving section: the candidate and which ranking shoppers preferred."""
    st.subheader("Interleaving")
    try:
        candidate = named_candidate(settings.models_dir)
        picks = loading.interleaved_picks(settings.db_url)
    except RecommenderError as error:
        st.error(f"Interleaving could not be read: {plain(error)}")
        return
    # Plain text, never markdown: a model id is data.
    st.text(f"Candidate now: {candidate or 'none named (recommender models interleave ID)'}")
    for notice in loading.interleave_notices(settings):
        st.warning(plain(notice))
    if picks.empty:
        st.caption(NO_DATA)
        return
    st.caption(EXPLAINED)
    st.dataframe(report_table(interleaving_report(picks, events)), hide_index=True)
