"""Charts for the analyst page, each with a text alternative a screen reader can read.

Streamlit's one-line charts take no description, so a chart drawn with them is an unnamed
image to assistive technology; these Altair charts carry one (Vega writes it as the chart's
accessible name) and say in words what the chart shows.
"""

from __future__ import annotations

from typing import Literal

import altair as alt
import pandas as pd


def model_chart(comparison: pd.DataFrame, metric: str) -> alt.Chart:
    """One horizontal bar per model and ranker: the metric along the bottom, model ids down the
    side written out in full (Vega cuts axis labels at 180 px by default)."""
    rows = comparison[["model", "ranker", metric]].dropna()
    best = rows.sort_values(metric, ascending=False).head(1)
    summary = f"Bar chart of {metric} per model and ranker" + (
        f"; highest: {best['ranker'].iloc[0]} at {best[metric].iloc[0]:.3f}." if len(best) else "."
    )
    return (
        alt.Chart(rows, description=summary, title=metric)
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


def line_chart(table: pd.DataFrame, x_title: str, y_title: str, description: str) -> alt.Chart:
    """One line per column of `table` against its index, named by `description` in words."""
    long = table.rename_axis("x").reset_index().melt("x", var_name="series", value_name="y")
    x_type: Literal["temporal", "quantitative"] = (
        "temporal" if pd.api.types.is_datetime64_any_dtype(long["x"]) else "quantitative"
    )
    return (
        alt.Chart(long, description=description)
        .mark_line(point=len(table) < 40)
        .encode(
            x=alt.X("x", type=x_type, title=x_title),
            y=alt.Y("y:Q", title=y_title),
            color=alt.Color("series:N", title=None, legend=alt.Legend(labelLimit=0)),
            tooltip=[alt.Tooltip("x", type=x_type, title=x_title), "series:N", "y:Q"],
        )
    )


def over_time_description(table: pd.DataFrame, source: str) -> str:
    """'Line chart of simulated feedback from 2025-01-06 to 2025-03-03: 1,234 impressions, ...'."""
    if table.empty:
        return f"No {source} feedback yet."
    first, last = table.index.min(), table.index.max()
    totals = ", ".join(f"{int(total):,} {kind}" for kind, total in table.sum().items())
    return (
        f"Line chart of {source} feedback per period from {first:%Y-%m-%d} to {last:%Y-%m-%d}: "
        f"{totals}."
    )


def funnel_summary(funnel: pd.DataFrame) -> str:
    """The funnel in one sentence: where it starts and where most shoppers leave."""
    left = funnel.dropna(subset=["left before the next stage"])
    summary = (
        f"Bar chart of shoppers at each stage of the finder, from {int(funnel['shoppers'].iloc[0]):,} "
        f"at {funnel['stage'].iloc[0]}"
    )
    if not left.empty and left["left before the next stage"].max() > 0:
        worst = left.loc[left["left before the next stage"].idxmax()]
        summary += (
            f"; most shoppers left after {worst['stage']} "
            f"({int(worst['left before the next stage']):,})"
        )
    return summary + "."


def funnel_chart(funnel: pd.DataFrame) -> alt.Chart:
    """One bar per stage of the funnel, in the finder's order, described in words."""
    return (
        alt.Chart(funnel, description=funnel_summary(funnel))
        .mark_bar()
        .encode(
            x=alt.X("shoppers:Q", title="shoppers"),
            y=alt.Y("stage:N", sort=None, title=None, axis=alt.Axis(labelLimit=0)),
            tooltip=["stage", "shoppers", "left before the next stage"],
        )
    )
