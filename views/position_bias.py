"""The position-bias charts of the analyst page: the raw click curve beside the estimated one.

Layout only: the numbers come from `training.analytics`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from recommender.settings import Settings
from training import analytics
from views import loading
from views.analyst_charts import line_chart


def show_position_bias(settings: Settings, events: pd.DataFrame, sessions: pd.DataFrame) -> None:
    """Raw click rate by position (left) and examination estimated from the logs (right)."""
    st.subheader("Click rate by position")
    raw, estimated = st.columns(2)
    with raw:
        st.caption("Share of impressions clicked. Explore sessions show a random order.")
        clicks = analytics.click_rate_by_position(events, sessions)
        st.altair_chart(
            line_chart(
                clicks,
                "position shown",
                "share of impressions clicked",
                "Line chart of the share of impressions clicked at each position shown, one "
                f"line per policy ({', '.join(map(str, clicks.columns))}).",
            ),
            width="stretch",
        )
    table = _examination(settings, events, sessions)
    with estimated:
        st.caption(
            "How likely a shopper looks at each position, relative to position 1, estimated "
            "from every session (explore and ranked) by a click model; the band is a 95% "
            "interval. Evaluation divides each outcome by this chance."
        )
        if table.empty:
            st.info("No clicks yet: the position bias cannot be estimated.")
            return
        columns = [analytics.ESTIMATED, analytics.ESTIMATE_LOW, analytics.ESTIMATE_HIGH]
        st.altair_chart(
            line_chart(
                table[columns],
                "position shown",
                "relative to position 1",
                "Line chart of the estimated chance that a shopper looks at each position, "
                "relative to position 1, with its 95% interval; the numbers are in the table "
                "below.",
            ),
            width="stretch",
        )
    st.dataframe(table, width="stretch")


def _examination(settings: Settings, events: pd.DataFrame, sessions: pd.DataFrame):
    return _cached_examination(
        settings.db_url, str(settings.catalog_dir), len(events), events, sessions, settings
    )


@st.cache_resource(show_spinner="Estimating the position bias...", max_entries=2)
def _cached_examination(
    db_url: str, catalog: str, n_events: int, _events, _sessions, _settings: Settings
) -> pd.DataFrame:
    # Keyed on the store, catalog and number of events: recomputed only when feedback changes.
    return analytics.examination_by_position(_events, _sessions, loading.engine(_settings))
