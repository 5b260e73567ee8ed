"""Counterfactual offline evaluation: how would a ranker have done, had shoppers seen its order?

Shoppers mostly saw the rules' order, and a product shown first gets clicks just for being
first, so plainly re-scoring the logged clicks flatters the rules. Here every held-out session
counts, and each observed outcome is divided by the examination propensity of the position it
was SHOWN at (`training.propensity`): an outcome at position 5, where few shoppers look, stands
for several shoppers who would have acted had they looked. That gives an unbiased estimate of
each shown product's relevance (the gain it earns once examined), and a ranker is judged by
re-ordering the shown products by its scores:

* ips dcg@5: the mean over sessions of sum(gain / propensity / log2(1 + rank)) over the
  ranker's top 5 (inverse propensity scoring: unbiased for the expected discounted gain);
* snips ndcg@5: the same sum over all sessions divided by the sum of gain / propensity, i.e. by
  the DCG had every relevant product been first (self-normalised: 1 is perfect; the shared
  denominator removes much of the weights' noise and keeps the two rankers' difference signed
  exactly as the IPS one).

Propensities are clipped from below at `clip` (reported), trading a little bias for bounded
weights. Intervals are paired by session: `scipy.stats.bootstrap` resamples sessions, each with
every ranker's value, and names its interval method. The effective sample size
(sum w)^2 / sum w^2 over the good outcomes' weights says how many unweighted outcomes the
estimate is worth.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from recommender.feedback import columns as col
from training.dataset import GRADE, RankingDataset
from training.propensity import PositionCurve

DEFAULT_CLIP = 0.05
TOP_K = 5
IPS = f"ips dcg@{TOP_K}"
SNIPS = f"snips ndcg@{TOP_K}"
PRIMARY_ESTIMATOR = SNIPS
CONFIDENCE = 0.95
BOOTSTRAP_ROUNDS = 1000
# BCa needs a jackknife over sessions (memory and time grow with the square of their number);
# above this many sessions the percentile interval is used instead, and named as such.
BCA_MAX_SESSIONS = 3000
BOOTSTRAP_BATCH = 50


@dataclass(frozen=True)
class Difference:
    """Candidate minus baseline, with a paired (by session) bootstrap interval."""

    mean: float
    low: float
    high: float
    method: str = "percentile"

    @property
    def above_zero(self) -> bool:
        """Whether the whole interval lies above zero."""
        return self.low > 0

    def covers(self, value: float) -> bool:
        """Whether `value` lies inside the interval."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class SessionGains:
    """Per held-out session: each ranker's corrected DCG@5 and the corrected total gain."""

    dcg: dict[str, np.ndarray]
    total: np.ndarray


@dataclass
class Counterfactual:
    """The corrected comparison: estimates per ranker and the candidate's differences."""

    candidate: str
    curve: PositionCurve
    clip: float
    n_sessions: int
    n_good_outcomes: int
    effective_sample_size: float
    n_clipped: int
    estimates: dict[str, dict[str, float]] = field(default_factory=dict)
    differences: dict[str, dict[str, Difference]] = field(default_factory=dict)

    @property
    def estimator(self) -> str:
        """The estimator's name and settings, in words."""
        return (
            f"{PRIMARY_ESTIMATOR}: outcomes divided by the estimated examination propensity of "
            f"the position shown, propensities clipped below at {self.clip:g}"
        )

    def difference(self, baseline: str, estimator: str = PRIMARY_ESTIMATOR) -> Difference | None:
        """The difference from `baseline` by `estimator`, or None when not estimated."""
        return self.differences.get(baseline, {}).get(estimator)

    def to_json(self) -> dict[str, Any]:
        """The estimates as plain JSON types, for the model card."""
        return {
            "estimator": self.estimator,
            "primary": PRIMARY_ESTIMATOR,
            "clip": self.clip,
            "clipped_outcomes": self.n_clipped,
            "sessions": self.n_sessions,
            "good_outcomes": self.n_good_outcomes,
            "effective_sample_size": round(self.effective_sample_size, 1),
            "propensity": self.curve.to_json(),
            "estimates": self.estimates,
            "differences": {
                base: {name: vars(d) for name, d in diffs.items()}
                for base, diffs in self.differences.items()
            },
        }


def corrected_gains(
    data: RankingDataset, curve: PositionCurve, clip: float = DEFAULT_CLIP
) -> tuple[np.ndarray, np.ndarray]:
    """(gain / clipped propensity of the shown position, the weight 1 / that propensity)."""
    propensity = np.maximum(curve.at(data.rows[col.POSITION].to_numpy()), clip)
    gain = np.exp2(np.clip(data.rows[GRADE].to_numpy(), 0, None)) - 1.0
    return gain / propensity, 1.0 / propensity


def session_dcg(
    session: np.ndarray, gains: np.ndarray, scores: np.ndarray, tie: np.ndarray, n_sessions: int
) -> np.ndarray:
    """DCG@5 per session (codes 0..n-1) of `gains` ordered by `scores`, ties by `tie`."""
    order = np.lexsort((tie, -np.asarray(scores, float), session))
    ordered = session[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(order) else order
    lengths = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, lengths) + 1
    discounted = np.where(rank <= TOP_K, gains[order] / np.log2(rank + 1), 0.0)
    return np.bincount(ordered, weights=discounted, minlength=n_sessions)


def gains_by_session(
    data: RankingDataset, scores: dict[str, np.ndarray], gains: np.ndarray
) -> SessionGains:
    """Each ranker's DCG@5 of `gains` per session of `data`, and each session's total gain."""
    _, session = np.unique(data.rows[col.SESSION_ID].to_numpy(), return_inverse=True)
    n_sessions = int(session.max()) + 1 if len(session) else 0
    tie = data.rows[col.SKU].to_numpy()
    dcg = {name: session_dcg(session, gains, s, tie, n_sessions) for name, s in scores.items()}
    total = np.bincount(session, weights=gains, minlength=n_sessions)
    return SessionGains(dcg, total)


def counterfactual_evaluation(
    scores: dict[str, np.ndarray],
    candidate: str,
    data: RankingDataset,
    curve: PositionCurve,
    *,
    clip: float = DEFAULT_CLIP,
    seed: int = 0,
) -> Counterfactual:
    """The corrected estimates of every ranker in `scores` (name -> one score per row of
    `data`) and `candidate`'s differences from each of the others."""
    gains, weight = corrected_gains(data, curve, clip)
    per_session = gains_by_session(data, scores, gains)
    good = data.rows[GRADE].to_numpy() > 0
    good_weight = weight[good]
    ess = float(good_weight.sum() ** 2 / (good_weight**2).sum()) if good.any() else 0.0
    clipped = int((curve.at(data.rows[col.POSITION].to_numpy())[good] < clip).sum())
    result = Counterfactual(
        candidate, curve, clip, len(per_session.total), int(good.sum()), ess, clipped
    )
    for name, dcg in per_session.dcg.items():
        result.estimates[name] = {IPS: _ips(dcg), SNIPS: _snips(dcg, per_session.total)}
    mine = per_session.dcg[candidate]
    for name, theirs in per_session.dcg.items():
        if name != candidate:
            result.differences[name] = {
                IPS: paired_bootstrap(mine, theirs, seed=seed),
                SNIPS: ratio_bootstrap(mine, theirs, per_session.total, seed=seed),
            }
    return result


def _ips(dcg: np.ndarray) -> float:
    return float(dcg.mean()) if len(dcg) else float("nan")


def _snips(dcg: np.ndarray, total: np.ndarray) -> float:
    return float(dcg.sum() / total.sum()) if total.sum() > 0 else float("nan")


def _method(n: int) -> str:
    return "BCa" if n <= BCA_MAX_SESSIONS else "percentile"


def paired_bootstrap(
    mine: np.ndarray, theirs: np.ndarray, *, seed: int = 0, rounds: int = BOOTSTRAP_ROUNDS
) -> Difference:
    """Mean of (mine - theirs) over sessions, with a bootstrap interval resampling sessions."""
    diffs = np.asarray(mine, float) - np.asarray(theirs, float)
    if len(diffs) < 2:
        return Difference(float("nan"), float("nan"), float("nan"))
    mean = float(diffs.mean())
    if np.ptp(diffs) == 0:  # every session agrees: no spread to resample
        return Difference(mean, mean, mean, "none (no spread)")
    return _bootstrap((diffs,), _mean, mean, seed=seed, rounds=rounds)


def _mean(values: np.ndarray, axis: int = -1) -> np.ndarray:
    return values.mean(axis=axis)


def _bootstrap(data: tuple, statistic, mean: float, *, seed: int, rounds: int) -> Difference:
    """`statistic` over sessions resampled together; BCa falls back to percentile when its
    jackknife is degenerate (e.g. nearly every session agrees)."""
    method = _method(len(data[0]))
    for attempt in (method, "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", stats.DegenerateDataWarning)
            found = stats.bootstrap(
                data,
                statistic,
                paired=True,
                vectorized=True,
                n_resamples=rounds,
                confidence_level=CONFIDENCE,
                method=attempt,
                random_state=np.random.default_rng(seed),
                batch=BOOTSTRAP_BATCH,
            )
        low, high = found.confidence_interval
        if np.isfinite(low) and np.isfinite(high):
            break
    return Difference(mean, float(low), float(high), f"{attempt} bootstrap, paired by session")


def ratio_bootstrap(
    mine: np.ndarray,
    theirs: np.ndarray,
    total: np.ndarray,
    *,
    seed: int = 0,
    rounds: int = BOOTSTRAP_ROUNDS,
) -> Difference:
    """(sum mine - sum theirs) / sum total, with a bootstrap interval resampling sessions."""
    if len(total) < 2 or total.sum() <= 0:
        return Difference(float("nan"), float("nan"), float("nan"))
    mean = float((mine.sum() - theirs.sum()) / total.sum())
    if np.ptp(np.asarray(mine) - np.asarray(theirs)) == 0 and mean == 0:
        return Difference(mean, mean, mean, "none (no spread)")

    def statistic(a: np.ndarray, b: np.ndarray, c: np.ndarray, axis: int = -1) -> np.ndarray:
        denominator = c.sum(axis=axis)
        return (a.sum(axis=axis) - b.sum(axis=axis)) / np.where(denominator > 0, denominator, 1)

    data = (np.asarray(mine, float), np.asarray(theirs, float), np.asarray(total, float))
    return _bootstrap(data, statistic, mean, seed=seed, rounds=rounds)
