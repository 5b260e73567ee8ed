"""Charts for the analyst page that the one-line Streamlit charts draw wrongly."""

from __future__ import annotations

import altair as alt
import pandas as pd


def model_chart(comparison: pd.DataFrame, metric: str) -> alt.Chart:
    """One horizontal bar per model and ranker: the metric along the bottom, model ids down the
    side written out in full (Vega cuts axis labels at 180 px by default)."""
    rows = comparison[["model", "ranker", metric]].dropna()
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            # field= rather than "name:Q": metric names such as "ndcg@5" are not parsed then.
            x=alt.X(field=metric, type="quantitative", title=metric),
            y=alt.Y("model:N", title="model", axis=alt.Axis(labelLimit=0)),
            yOffset="ranker:N",
            color=alt.Color("ranker:N", title="ranker", legend=alt.Legend(labelLimit=0)),
            tooltip=[
                "model",
                "ranker",
                alt.Tooltip(field=metric, type="quantitative", format=".3f"),
            ],
        )
    )
