"""Analytics: feedback over time, the position-bias curve, helpfulness, models; retrain, promote.

Layout only: numbers come from `training.analytics`, actions from `training.pipeline`.
"""

from __future__ import annotations

import streamlit as st

from recommender.errors import RecommenderError
from recommender.escaping import plain
from recommender.model.serving import served_model_name
from recommender.settings import Settings
from recommender.shop import funnel
from recommender.shop.auth import ANALYST
from training import analytics
from training.pipeline import train_candidate
from training.trust import verdict_line
from views import interleaving, loading, promotion
from views.analyst_charts import (
    funnel_chart,
    funnel_summary,
    line_chart,
    model_chart,
    over_time_description,
)
from views.position_bias import show_position_bias
from views.signin import require_signed_in

require_signed_in(ANALYST)
settings = Settings.from_env()
st.title("Analytics")

st.header("What shoppers did", anchor=False)  # h2 between the title and the sections (axe)
if st.button("Reload feedback", icon=":material/refresh:"):
    loading.feedback.clear()
    loading.interleaved_picks.clear()
try:
    frames = loading.feedback(settings.db_url)
    sessions, events, experiments = frames.sessions, frames.events, frames.experiments
except RecommenderError as error:
    st.error(f"The feedback store could not be read: {plain(error)}")
    st.stop()

if events.empty:
    st.info(
        "No feedback yet. `recommender simulate` and `recommender feedback import` make a demo."
    )
else:
    st.subheader("Feedback over time")
    st.caption(
        "Events per day, week or month; a quiet stretch shows as zero, not a line. Simulated "
        "sessions (from `recommender simulate`) are charted apart, each over its own dates."
    )
    for source, part in analytics.events_by_source(events).items():
        over_time = analytics.feedback_over_time(part)
        description = over_time_description(over_time, source)
        st.markdown(f"**{source.capitalize()}**")
        st.altair_chart(line_chart(over_time, "date", "events", description), width="stretch")
        st.caption(plain(description))
    show_position_bias(settings, events, sessions)
    st.subheader("Helpfulness by product")
    st.dataframe(
        analytics.helpfulness_by_product(events, loading.product_names(settings)), width="stretch"
    )
    st.subheader("Experiment arms")
    arms = analytics.outcomes_by_arm(events, experiments)
    if arms.empty:
        st.caption(
            "No experiment has run: set `[experiment]` shares in weights.toml to serve some "
            "sessions without boosts or without the model."
        )
    else:
        st.caption(
            "Share of sessions with a click, add to cart, purchase or helpful verdict; "
            "`low` and `high` bound the 95% interval of the difference from the control arm."
        )
        st.dataframe(arms, width="stretch")
    interleaving.show(settings, events)

st.subheader("Shopper funnel")
funnel_rows = analytics.funnel_table(frames.funnel, sessions, events, funnel.stage_names())
if funnel_rows.empty:
    st.caption("No shopper has opened the finder since counting began.")
else:
    st.caption(
        "How many shoppers reached each step of the finder, their matches, a click and a "
        "purchase, and how many left before the next. Counts only: nothing is kept about a "
        "shopper who leaves before the results."
    )
    st.altair_chart(funnel_chart(funnel_rows), width="stretch")
    st.caption(plain(funnel_summary(funnel_rows)))
    st.dataframe(funnel_rows, width="stretch", hide_index=True)

st.header("Models and retraining", anchor=False)
st.subheader("Models")
if promotion.PROMOTED in st.session_state:  # said after the rerun, under the newly served model
    st.success(plain(st.session_state.pop(promotion.PROMOTED)))
served, notices = served_model_name(settings)
st.write(f"Serving: **{plain(served)}**")
for notice in notices:
    st.warning(plain(notice))

if st.button("Retrain now", type="primary"):
    bar = st.progress(0.0, text="starting")

    def show(done: int, total: int, what: str) -> None:
        """Show training progress in the page's progress bar."""
        bar.progress(min(done / total, 1.0), text=what)

    try:
        report = train_candidate(settings, progress=show)
    except RecommenderError as error:
        st.error(plain(error))
    else:
        st.success(
            f"Trained {plain(report.card.model_id)}: {plain(verdict_line(report.card.data))}"
        )

comparison = analytics.model_comparison(settings)
if comparison.empty:
    st.write("No trained models yet: serving rules-only.")
else:
    st.dataframe(comparison, width="stretch", hide_index=True)
    metric = st.selectbox(
        "Compare on",
        analytics.comparable_metrics(comparison),
        help="Position-corrected estimates weigh each outcome by how likely the shopper was "
        "to see that position; the uncorrected metrics favour the order shoppers were shown, "
        "so they are marked biased.",
    )
    st.altair_chart(model_chart(comparison, metric), width="stretch")

promotion.promote_section(settings, comparison)
