"""The interleaving report: does the shop's own feedback prefer the candidate or the served ranking?

Each interleaved session is credited with `recommender.model.interleaving.credit` (clicks, add to
cart and purchases on each team's products) and won by the candidate, won by the served
ranking, or tied. Ties (most often: the shopper did nothing) say nothing about which ranking is
better, so the preference is the candidate's share of the sessions that were won, with a 95%
Wilson interval: above 0.5 as a whole means shoppers preferred the candidate.

    report = interleaving_report(picks, events)             # every candidate, newest first
    report = read_interleaving(settings.db_url)             # the same, from the store
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd
from scipy.stats import binomtest

from recommender.errors import InputError
from recommender.feedback import FeedbackStore, read_picks
from recommender.feedback import columns as col
from recommender.feedback.reads import read_picked_outcomes
from recommender.model.interleaving import CANDIDATE, CREDIT, SERVED, TIE

CONFIDENCE = 0.95
NO_DATA = (
    "no interleaved sessions in the feedback store yet: name a candidate with "
    "`recommender models interleave ID` and set [experiment] interleave_share in weights.toml"
)


@dataclass(frozen=True)
class Preference:
    """One candidate's interleaving result against the ranking served beside it."""

    candidate_model: str
    sessions: int
    wins: int
    losses: int
    ties: int
    share: float | None  # the candidate's share of the sessions won; None when none was won
    low: float | None
    high: float | None
    p_value: float | None

    @property
    def verdict(self) -> str:
        """Which ranking shoppers preferred, in words."""
        if self.share is None or self.low is None or self.high is None:
            return "no session has a winner yet"
        if self.low > 0.5:
            return "shoppers prefer the candidate"
        if self.high < 0.5:
            return "shoppers prefer the served ranking"
        return "no clear preference yet"

    def to_json(self) -> dict:
        """The report as plain JSON types, with its verdict."""
        return {**asdict(self), "verdict": self.verdict}


def session_outcomes(picks: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """One row per interleaved session: each team's credit and the winner (`candidate`,
    `served` or `tie`)."""
    kinds = events[col.EVENT].astype(str)
    acted = events.loc[kinds.isin(list(CREDIT)), [col.SESSION_ID, col.SKU]]
    acted = acted.assign(points=kinds[kinds.isin(list(CREDIT))].map(CREDIT).to_numpy())
    # A product's strongest outcome counts once, as recommender.model.interleaving.credit does.
    strongest = acted.groupby([col.SESSION_ID, col.SKU], as_index=False)["points"].max()
    rows = picks.merge(strongest, on=[col.SESSION_ID, col.SKU], how="left").fillna({"points": 0})
    credit = rows.pivot_table(
        index=[col.SESSION_ID, col.CANDIDATE_MODEL],
        columns=col.TEAM,
        values="points",
        aggfunc="sum",
        fill_value=0,
    )
    for team in (SERVED, CANDIDATE):
        if team not in credit:
            credit[team] = 0
    credit = credit[[SERVED, CANDIDATE]].reset_index()
    credit.columns.name = None
    winner = pd.Series(TIE, index=credit.index)
    winner[credit[CANDIDATE] > credit[SERVED]] = CANDIDATE
    winner[credit[SERVED] > credit[CANDIDATE]] = SERVED
    return credit.assign(winner=winner)


def preference(candidate_model: str, winners: pd.Series) -> Preference:
    """Wins, losses and ties of one candidate, with the 95% Wilson interval of its share."""
    wins, losses = int((winners == CANDIDATE).sum()), int((winners == SERVED).sum())
    ties = int((winners == TIE).sum())
    share = low = high = p_value = None
    if wins + losses:
        test = binomtest(wins, wins + losses, 0.5)
        interval = test.proportion_ci(CONFIDENCE, method="wilson")
        share, low, high = wins / (wins + losses), float(interval.low), float(interval.high)
        p_value = float(test.pvalue)
    return Preference(candidate_model, len(winners), wins, losses, ties, share, low, high, p_value)


def interleaving_report(
    picks: pd.DataFrame, events: pd.DataFrame, model: str | None = None
) -> list[Preference]:
    """Each candidate's preference (only `model`'s when named); InputError when there is none."""
    if model is not None:
        picks = picks.loc[picks[col.CANDIDATE_MODEL] == model]
    if picks.empty:
        about = f" for model '{model}'" if model is not None else ""
        raise InputError(NO_DATA.replace(" yet:", f"{about} yet:", 1))
    outcomes = session_outcomes(picks, events)
    # Newest candidate first: model ids start with their creation time.
    order = sorted(picks[col.CANDIDATE_MODEL].unique(), reverse=True)
    grouped = dict(tuple(outcomes.groupby(col.CANDIDATE_MODEL)["winner"]))
    return [preference(name, grouped[name]) for name in order]


def read_interleaving(db_url: str, model: str | None = None) -> list[Preference]:
    """The report over the feedback store's interleaved sessions."""
    with FeedbackStore.open(db_url) as store:
        picks = read_picks(store)
        if picks.empty:
            raise InputError(NO_DATA)
        events = read_picked_outcomes(store, list(CREDIT))
    return interleaving_report(picks, events, model)


def report_table(preferences: list[Preference]) -> pd.DataFrame:
    """The report as a table for the Analytics page."""
    return pd.DataFrame(
        [
            {
                "candidate": p.candidate_model,
                "sessions": p.sessions,
                "candidate wins": p.wins,
                "served wins": p.losses,
                "ties": p.ties,
                "candidate share": p.share,
                "low": p.low,
                "high": p.high,
                "verdict": p.verdict,
            }
            for p in preferences
        ]
    )
