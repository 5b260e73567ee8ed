"""How likely a shopper is to look at each position: examination propensity, from the logs.

A product shown lower gets fewer clicks partly because fewer shoppers look that far down.
Counterfactual evaluation (`training.counterfactual`) divides each observed outcome by that
chance, so the chance has to be estimated first, relative to position 1.

The estimate is a position-based click model (a click needs the position examined AND the
product appealing: P(click) = theta[position] * gamma[product kind]) fitted by
expectation-maximisation, as in Wang et al. 2018, "Position bias estimation for unbiased
learning to rank in personal search". It uses every session, explore and ranked alike:

* explore sessions show products in random order, so each product kind is seen at every
  position;
* in ranked sessions the same product kind also lands at different positions, because what
  else competes for the list changes from shopper to shopper (and, in a real shop, as weights,
  models and the catalog change): intervention harvesting without a separate experiment.

A "product kind" is the product together with a band of its rule score, so that a product the
rules rate highly for this shopper (and show first) is not confused with the same product shown
last to a shopper it suits less. EM runs on counts per (position, kind, clicked), so it costs
the same at a million events as at a thousand; the interval comes from resampling sessions
(a multinomial weight per session) and refitting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from recommender.feedback import columns as col
from training.dataset import GRADE, RankingDataset

RULE_SCORE_BANDS = 8
EM_ROUNDS = 200
BOOTSTRAP_ROUNDS = 100
CONFIDENCE = 0.95
MIN_PROPENSITY = 1e-3  # an estimate is never reported as exactly 0
METHOD = "position-based click model, regression-EM over explore and ranked sessions"


@dataclass(frozen=True)
class PositionCurve:
    """Examination chance per position relative to position 1, with a bootstrap interval."""

    positions: np.ndarray  # 1 .. K
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    method: str
    n_sessions: int
    confidence: float = CONFIDENCE

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The estimate for each given position; past the last one seen, the last estimate."""
        index = np.clip(np.asarray(positions, dtype=int), 1, len(self.positions)) - 1
        return self.estimate[index]

    def to_frame(self) -> pd.DataFrame:
        """The estimates as a table, one row per position."""
        return pd.DataFrame(
            {"examined": self.estimate, "low": self.low, "high": self.high},
            index=pd.Index(self.positions, name=col.POSITION),
        )

    def to_json(self) -> dict[str, Any]:
        """The estimates as plain JSON types, for the model card."""
        return {
            "method": self.method,
            "sessions": self.n_sessions,
            "confidence": self.confidence,
            "relative_to_position_1": {
                int(p): {"estimate": float(e), "low": float(lo), "high": float(hi)}
                for p, e, lo, hi in zip(
                    self.positions, self.estimate, self.low, self.high, strict=True
                )
            },
        }


def estimate_position_bias(
    data: RankingDataset, *, seed: int = 0, rounds: int = BOOTSTRAP_ROUNDS
) -> PositionCurve:
    """The examination curve of `data`'s shown products, with a session-bootstrap interval.

    ValueError when there is nothing to learn from (no shown product, or no click at all).
    """
    clicked = (data.rows[GRADE].to_numpy() != 0).astype(float)  # "not helpful" was clicked too
    if len(data) == 0 or clicked.sum() == 0:
        raise ValueError("no clicks in the feedback: the position bias cannot be estimated")
    position = data.rows[col.POSITION].to_numpy().astype(int)
    n_positions = int(position.max())
    kind = _product_kind(data)
    _, session = np.unique(data.rows[col.SESSION_ID].to_numpy(), return_inverse=True)
    n_sessions = int(session.max()) + 1
    table = _Table.of(position - 1, kind, clicked, np.ones(len(clicked)), n_positions)
    theta, gamma = _em(table, None, None, EM_ROUNDS)
    rng = np.random.default_rng(seed)
    draws = np.empty((rounds, n_positions))
    for round_ in range(rounds):
        # Resample sessions: each session counts as often as it was drawn.
        weight = rng.multinomial(n_sessions, np.full(n_sessions, 1.0 / n_sessions))[session]
        again = _Table.of(position - 1, kind, clicked, weight.astype(float), n_positions)
        draws[round_] = _relative(_em(again, theta, gamma, EM_ROUNDS // 4)[0])
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail], axis=0)
    return PositionCurve(
        positions=np.arange(1, n_positions + 1),
        estimate=_relative(theta),
        low=low,
        high=high,
        method=METHOD,
        n_sessions=n_sessions,
    )


def explore_click_curve(data: RankingDataset) -> pd.Series:
    """Click rate per position in explore sessions over position 1's: the randomised check."""
    explore = data.rows[col.POLICY].to_numpy() == col.EXPLORE
    clicked = pd.Series((data.rows[GRADE].to_numpy() != 0)[explore].astype(float))
    rate = clicked.groupby(data.rows[col.POSITION].to_numpy()[explore]).mean()
    if rate.empty or rate.iloc[0] == 0:
        return pd.Series(dtype=float)
    return (rate / rate.iloc[0]).rename_axis(col.POSITION)


def _product_kind(data: RankingDataset) -> np.ndarray:
    score = np.asarray(data.rule_score, float)
    edges = np.unique(np.quantile(score, np.linspace(0, 1, RULE_SCORE_BANDS + 1)[1:-1]))
    band = np.searchsorted(edges, score, side="right")
    keys = data.product_index.astype(np.int64) * (RULE_SCORE_BANDS + 1) + band
    return np.unique(keys, return_inverse=True)[1]


@dataclass(frozen=True)
class _Table:
    """Weighted counts of shown products and clicks per (position, product kind)."""

    shown: np.ndarray  # positions x kinds
    clicks: np.ndarray

    @classmethod
    def of(cls, position, kind, clicked, weight, n_positions: int) -> _Table:
        n_kinds = int(kind.max()) + 1
        cell = position * n_kinds + kind
        size = n_positions * n_kinds
        shown = np.bincount(cell, weights=weight, minlength=size).reshape(n_positions, n_kinds)
        clicks = np.bincount(cell, weights=weight * clicked, minlength=size)
        return cls(shown, clicks.reshape(n_positions, n_kinds))


def _em(table: _Table, theta, gamma, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """theta per position and gamma per product kind maximising the click model's likelihood."""
    n_positions, n_kinds = table.shown.shape
    theta = np.linspace(1.0, 0.5, n_positions) if theta is None else theta.copy()
    gamma = np.full(n_kinds, 0.3) if gamma is None else gamma.copy()
    not_clicked = table.shown - table.clicks
    for _ in range(rounds):
        both = np.outer(theta, gamma)
        missed = np.maximum(1.0 - both, 1e-12)
        # A product not clicked was either examined and unappealing, or never examined.
        examined = table.clicks + not_clicked * (theta[:, None] * (1.0 - gamma)[None, :]) / missed
        appealing = table.clicks + not_clicked * ((1.0 - theta)[:, None] * gamma[None, :]) / missed
        theta = _share(examined.sum(axis=1), table.shown.sum(axis=1), theta)
        gamma = _share(appealing.sum(axis=0), table.shown.sum(axis=0), gamma)
    return theta, gamma


def _share(part: np.ndarray, whole: np.ndarray, previous: np.ndarray) -> np.ndarray:
    # A position or kind with no weight in a resample keeps its previous value.
    fresh = np.divide(part, whole, out=previous.copy(), where=whole > 0)
    return np.clip(fresh, MIN_PROPENSITY, 1.0)


def _relative(theta: np.ndarray) -> np.ndarray:
    return np.maximum(theta / theta[0], MIN_PROPENSITY)
