"""Numbers for the analyst page: feedback over time, the position-bias curve, helpfulness.

Plain pandas in and out (no Streamlit here), so each table is tested like any other function.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.feedback import FeedbackStore, read_events, read_experiments, read_sessions
from recommender.feedback import columns as col
from recommender.merchandising.experiments import CONTROL
from recommender.model import registry
from recommender.settings import Settings
from recommender.shopper.engine import Engine
from training.counterfactual import PRIMARY_ESTIMATOR
from training.dataset import build_dataset
from training.full_lists import COVERAGE, HIT_RATE
from training.metrics import DEFAULT_METRICS, PRIMARY_METRIC
from training.propensity import estimate_position_bias

GOOD_EVENTS = ("click", "add_to_cart", "purchase", "helpful")


@dataclass(frozen=True)
class FeedbackFrames:
    """Everything the analyst page charts, read from the store in one go."""

    sessions: pd.DataFrame
    events: pd.DataFrame
    experiments: pd.DataFrame


def read_feedback(db_url: str) -> FeedbackFrames:
    """The store's sessions, events and experiment arms; StoreError when it cannot be read."""
    with FeedbackStore.open(db_url) as store:
        return FeedbackFrames(read_sessions(store), read_events(store), read_experiments(store))


def feedback_over_time(events: pd.DataFrame, freq: str | None = None) -> pd.DataFrame:
    """Events per period (rows, every period from the first to the last) and kind (columns).

    Periods with no feedback are rows of zeros, so a chart shows a quiet stretch as one
    instead of drawing a straight line from the last busy day to the next. `freq` defaults to
    days, weeks or months, whichever keeps the chart to a few hundred points.
    """
    if events.empty:
        return pd.DataFrame()
    times = events[col.TS].dt.tz_convert(None)
    freq = freq or period_for(times.max() - times.min())
    period = times.dt.to_period(freq)
    counts = (
        events.groupby([period.rename("period"), events[col.EVENT].astype(str)])
        .size()
        .unstack(fill_value=0)
    )
    every = pd.period_range(period.min(), period.max(), freq=freq, name="period")
    counts = counts.reindex(every, fill_value=0)
    counts.index = counts.index.start_time
    return counts


def period_for(span: pd.Timedelta) -> str:
    """'D' up to about four months, 'W' up to three years, else 'M'."""
    if span <= pd.Timedelta(days=120):
        return "D"
    return "W" if span <= pd.Timedelta(days=3 * 365) else "M"


def click_rate_by_position(events: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Share of impressions clicked, per position and policy: the position-bias curve.

    Under `explore` every product is equally likely at every position, so the fall of that
    curve with position is the shoppers' attention alone, not the products'.
    """
    kind = events[col.EVENT].astype(str)
    shown = events.loc[kind == "impression", [col.SESSION_ID, col.SKU, col.POSITION]]
    clicked = events.loc[kind == "click", [col.SESSION_ID, col.SKU]].drop_duplicates()
    clicked = clicked.assign(clicked=1)
    rows = shown.merge(clicked, on=[col.SESSION_ID, col.SKU], how="left").fillna({"clicked": 0})
    rows = rows.merge(sessions[[col.SESSION_ID, col.POLICY]], on=col.SESSION_ID, how="left")
    return rows.pivot_table(
        index=col.POSITION, columns=col.POLICY, values="clicked", aggfunc="mean"
    )


ESTIMATED = "estimated examination"
ESTIMATE_LOW, ESTIMATE_HIGH = "estimate low (95%)", "estimate high (95%)"


def examination_by_position(
    events: pd.DataFrame, sessions: pd.DataFrame, engine: Engine, seed: int = 0
) -> pd.DataFrame:
    """Per position, relative to position 1: the examination chance estimated from every
    session (`training.propensity`), its 95% interval, and beside it the raw click rate per
    policy. Empty when there is no click to learn from.

    The raw ranked curve falls faster than attention alone, because the rules put their best
    products first; the estimate separates attention from the products' appeal.
    """
    if events.empty:
        return pd.DataFrame()
    dataset = build_dataset(sessions, events, engine)
    try:
        curve = estimate_position_bias(dataset, seed=seed)
    except ValueError:
        return pd.DataFrame()
    table = curve.to_frame().rename(
        columns={"examined": ESTIMATED, "low": ESTIMATE_LOW, "high": ESTIMATE_HIGH}
    )
    raw = click_rate_by_position(events, sessions)
    raw = raw.div(raw.iloc[0].where(raw.iloc[0] > 0))
    raw.columns = [f"raw click rate, {policy}" for policy in raw.columns]
    return table.join(raw, how="left")


def helpfulness_by_product(events: pd.DataFrame) -> pd.DataFrame:
    """Per product: impressions, clicks, purchases, returns, the share of purchases returned
    and the share of verdicts that were helpful."""
    counts = events.groupby([col.SKU, events[col.EVENT].astype(str)]).size().unstack(fill_value=0)
    shown = ("impression", "click", "purchase", "returned", "helpful", "not_helpful")
    for kind in shown:
        if kind not in counts:
            counts[kind] = 0
    verdicts = counts["helpful"] + counts["not_helpful"]
    table = counts[list(shown)].copy()
    table["click_rate"] = counts["click"] / counts["impression"].where(counts["impression"] > 0)
    # Returns come from the shop's checkout, so a product bought elsewhere may exceed 1.
    table["return_rate"] = counts["returned"] / counts["purchase"].where(counts["purchase"] > 0)
    table["helpful_share"] = counts["helpful"] / verdicts.where(verdicts > 0)
    return table.sort_values("impression", ascending=False)


def outcomes_by_arm(events: pd.DataFrame, experiments: pd.DataFrame) -> pd.DataFrame:
    """Per experiment arm: sessions, the share with a good outcome, and its difference from control.

    A session's outcome is good when anything beyond an impression happened (a click, add to
    cart, purchase or helpful). The 95% interval of the difference from the control arm uses
    the normal approximation for two proportions, fine at the hundreds of sessions an arm gets.
    Sessions that ran before the switch existed (no arm) are left out.
    """
    arms = experiments.dropna(subset=[col.EXPERIMENT])
    if arms.empty:
        return pd.DataFrame()
    good = events.loc[events[col.EVENT].astype(str).isin(GOOD_EVENTS), col.SESSION_ID]
    with_outcome = arms.assign(good=arms[col.SESSION_ID].isin(set(good)).astype(float))
    table = with_outcome.groupby(col.EXPERIMENT)["good"].agg(sessions="size", good_share="mean")
    if CONTROL not in table.index:
        return table.assign(vs_control=np.nan, low=np.nan, high=np.nan)
    base, base_n = table.loc[CONTROL, "good_share"], table.loc[CONTROL, "sessions"]
    spread = 1.96 * np.sqrt(
        table["good_share"] * (1 - table["good_share"]) / table["sessions"]
        + base * (1 - base) / base_n
    )
    difference = table["good_share"] - base
    table["vs_control"] = difference
    table["low"], table["high"] = difference - spread, difference + spread
    table.loc[CONTROL, ["vs_control", "low", "high"]] = np.nan
    return table


def model_comparison(settings: Settings) -> pd.DataFrame:
    """One row per registered model and per baseline it met on the same held-out sessions.

    Only a model's own row carries its promoted and trusted flags; a baseline's row carries
    the model's lead over it on the primary metric, with the 95% paired-bootstrap interval.
    """
    promoted = registry.promoted_id(settings.models_dir)
    rows = []
    for card in registry.list_models(settings.models_dir):
        evaluation = card.data.get("metrics", {})
        leads = evaluation.get("differences", {})
        corrected_leads = (evaluation.get("corrected") or {}).get("differences", {})
        for ranker, values in evaluation.get("metrics", {}).items():
            own = card.is_own_ranker(ranker)
            rows.append(
                {
                    "model": card.model_id,
                    "ranker": card.model_id if own else ranker,
                    "promoted": card.model_id == promoted if own else None,
                    "trusted": card.trusted if own else None,
                    **values,
                    CORRECTED_LEAD_COLUMN: None
                    if own
                    else _lead(corrected_leads.get(ranker, {}), PRIMARY_ESTIMATOR),
                    LEAD_COLUMN: None if own else _lead(leads.get(ranker, {})),
                }
            )
    table = pd.DataFrame(rows)
    first = ["model", "ranker", "promoted", "trusted", CORRECTED_LEAD_COLUMN, LEAD_COLUMN]
    return table[[c for c in first if c in table] + [c for c in table if c not in first]]


CORRECTED_LEAD_COLUMN = f"model's lead, position-corrected {PRIMARY_ESTIMATOR} [95% interval]"
LEAD_COLUMN = f"model's lead on {PRIMARY_METRIC}, uncorrected (biased) [95% interval]"
METRIC_COLUMNS = (*DEFAULT_METRICS, HIT_RATE, COVERAGE)


def comparable_metrics(comparison: pd.DataFrame) -> list[str]:
    """The metrics `comparison` (from `model_comparison`) has columns for, in the usual order:
    what the page offers to compare models on."""
    return [column for column in METRIC_COLUMNS if column in comparison.columns]


def _lead(differences: dict, metric: str = PRIMARY_METRIC) -> str | None:
    lead = differences.get(metric)
    if not lead:
        return None
    return f"{lead['mean']:+.3f} [{lead['low']:+.3f}, {lead['high']:+.3f}]"
