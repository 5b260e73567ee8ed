"""Numbers for the analyst page: feedback over time, the position-bias curve, helpfulness.

Plain pandas in and out (no Streamlit here), so each table is tested like any other function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.feedback import FeedbackStore, read_events, read_experiments, read_sessions
from recommender.feedback import columns as col
from recommender.feedback.funnel import read_funnel
from recommender.merchandising.experiments import CONTROL
from recommender.model import registry
from recommender.settings import Settings
from recommender.shop.funnel import SAFETY_STOP
from recommender.shopper.engine import Engine
from training.counterfactual import PRIMARY_ESTIMATOR
from training.dataset import build_dataset
from training.full_lists import COVERAGE, HIT_RATE
from training.metrics import DEFAULT_METRICS, PRIMARY_METRIC
from training.propensity import estimate_position_bias
from training.simulate import SESSION_PREFIX

GOOD_EVENTS = ("click", "add_to_cart", "purchase", "helpful")


@dataclass(frozen=True)
class FeedbackFrames:
    """Everything the analyst page charts, read from the store in one go."""

    sessions: pd.DataFrame
    events: pd.DataFrame
    experiments: pd.DataFrame
    funnel: pd.DataFrame  # shoppers per day and finder stage (recommender.feedback.funnel)


def read_feedback(db_url: str) -> FeedbackFrames:
    """The store's sessions, events, experiment arms and funnel counts; StoreError when it
    cannot be read."""
    with FeedbackStore.open(db_url) as store:
        return FeedbackFrames(
            read_sessions(store), read_events(store), read_experiments(store), read_funnel(store)
        )


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


SHOPPERS, SIMULATED = "shoppers", "simulated"


def events_by_source(events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Real shoppers' events and simulated ones (session ids from `recommender simulate`)
    apart, each only when there are any: charted together, a 2025 simulation beside this
    month's shoppers stretches the time axis until the real data fills a sliver of it."""
    simulated = events[col.SESSION_ID].astype(str).str.startswith(SESSION_PREFIX)
    parts = {SHOPPERS: events[~simulated], SIMULATED: events[simulated]}
    return {source: part for source, part in parts.items() if not part.empty}


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


def helpfulness_by_product(
    events: pd.DataFrame, names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Per product: impressions, clicks, purchases, returns, the share of purchases returned
    and the share of verdicts that were helpful; with `names` (SKU to product name), a `name`
    column first, so a row reads as a product rather than a code."""
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
    if names is not None:
        table.insert(
            0, "name", [names.get(str(sku), "(no longer in the catalog)") for sku in table.index]
        )
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
    The position-corrected estimates come first; every uncorrected metric is named biased, as
    it favours whichever ranker put the products first that shoppers were shown first.
    """
    promoted = registry.promoted_id(settings.models_dir)
    rows = []
    for card in registry.list_models(settings.models_dir):
        evaluation = card.data.get("metrics", {})
        leads = evaluation.get("differences", {})
        corrected = evaluation.get("corrected") or {}
        corrected_leads = corrected.get("differences", {})
        estimates = corrected.get("estimates", {})
        for ranker, values in evaluation.get("metrics", {}).items():
            own = card.is_own_ranker(ranker)
            rows.append(
                {
                    "model": card.model_id,
                    "ranker": card.model_id if own else ranker,
                    "promoted": card.model_id == promoted if own else None,
                    "trusted": card.trusted if own else None,
                    **{corrected_name(e): v for e, v in estimates.get(ranker, {}).items()},
                    **{biased_name(metric): value for metric, value in values.items()},
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


def corrected_name(estimator: str) -> str:
    """How the comparison names a position-corrected estimate: the one decisions rest on."""
    return f"{estimator} (position-corrected)"


def biased_name(metric: str) -> str:
    """How the comparison names an uncorrected metric, so it is never read as the verdict."""
    return f"{metric} (uncorrected, biased)"


def comparable_metrics(comparison: pd.DataFrame) -> list[str]:
    """The metrics `comparison` (from `model_comparison`) has columns for: the corrected
    estimates first (the primary one leading, so a chart opens on it), then the biased ones in
    the usual order. This is what the page offers to compare models on."""
    corrected = [c for c in comparison.columns if str(c).endswith(corrected_name(""))]
    corrected.sort(key=lambda column: column != corrected_name(PRIMARY_ESTIMATOR))
    biased = [biased_name(m) for m in METRIC_COLUMNS if biased_name(m) in comparison.columns]
    return corrected + biased


def _lead(differences: dict, metric: str = PRIMARY_METRIC) -> str | None:
    lead = differences.get(metric)
    if not lead:
        return None
    return f"{lead['mean']:+.3f} [{lead['low']:+.3f}, {lead['high']:+.3f}]"


FUNNEL_CLICKED, FUNNEL_BOUGHT = "clicked a product", "bought"


def funnel_table(
    counts: pd.DataFrame,
    sessions: pd.DataFrame,
    events: pd.DataFrame,
    stage_names: Mapping[str, str],
) -> pd.DataFrame:
    """Shoppers at each stage of the finder, in order, and how many left before the next.

    `counts` is the store's funnel (day, stage, shoppers); `stage_names` maps each stage of the
    questionnaire and the results, in the finder's order, to words. After the results come the
    real (not simulated) sessions of those days with a click and with a purchase. A shopper
    who met the safety stop has been sent to care, not lost: that row stands apart, with no
    "left" count.
    """
    if counts.empty:
        return pd.DataFrame()
    totals = counts.groupby(col.STAGE)[col.SHOPPERS].sum()
    days = set(counts[col.DAY])
    rows = [(name, int(totals.get(stage, 0))) for stage, name in stage_names.items()]
    real = sessions[~sessions[col.SESSION_ID].astype(str).str.startswith(SESSION_PREFIX)]
    in_window = real[real[col.CREATED_AT].dt.strftime("%Y-%m-%d").isin(days)][col.SESSION_ID]
    window_events = events[events[col.SESSION_ID].isin(set(in_window))]
    kinds = window_events[col.EVENT].astype(str)
    for name, kind in ((FUNNEL_CLICKED, "click"), (FUNNEL_BOUGHT, "purchase")):
        rows.append((name, int(window_events.loc[kinds == kind, col.SESSION_ID].nunique())))
    table = pd.DataFrame(rows, columns=["stage", "shoppers"])
    first = table["shoppers"].iloc[0]
    table["share of the first step"] = table["shoppers"] / first if first else np.nan
    table["left before the next stage"] = (table["shoppers"] - table["shoppers"].shift(-1)).clip(
        lower=0
    )
    table.loc[table.index[-1], "left before the next stage"] = np.nan
    stopped = int(totals.get(SAFETY_STOP, 0))
    if stopped:
        extra = {"stage": "sent to care by the safety questions", "shoppers": stopped}
        table = pd.concat([table, pd.DataFrame([extra])], ignore_index=True)
    return table
