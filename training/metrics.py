"""Ranking metrics as tiny classes (RecTools style), combined by one function.

Offline, a ranker is judged on what shoppers were shown: each held-out session's shown products
are re-ordered by the ranker's scores and judged against what the shopper did with them
(DEFAULT_METRICS). Hit rate at 5 and coverage need more than the five products shown, so they
rank every product the engine allows (`training.full_lists`). Per-session metrics return one value per session that has at least one good outcome (so
rankers can be compared pair-wise with a bootstrap); whole-set metrics return one number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score


@dataclass(frozen=True)
class RankedLists:
    """Held-out rows re-ordered by one ranker's scores; rows of a session are contiguous."""

    session: np.ndarray  # session code per row, sorted
    rank: np.ndarray  # 1-based rank within the session under the ranker
    grade: np.ndarray  # -1 .. 3
    score: np.ndarray
    n_sessions: int
    item: np.ndarray  # the `tie` key per row (e.g. sku), in the same order

    @classmethod
    def rank_by(cls, session: np.ndarray, grade: np.ndarray, score: np.ndarray, tie: np.ndarray):
        """Order each session's rows by score, highest first; ties by `tie` (e.g. sku)."""
        codes, session_code = np.unique(session, return_inverse=True)
        order = np.lexsort((tie, -score, session_code))
        sorted_sessions = session_code[order]
        starts = np.flatnonzero(np.r_[True, sorted_sessions[1:] != sorted_sessions[:-1]])
        lengths = np.diff(np.r_[starts, len(order)])
        rank = np.arange(len(order)) - np.repeat(starts, lengths) + 1
        return cls(sorted_sessions, rank, grade[order], score[order], len(codes), tie[order])

    @property
    def judged(self) -> np.ndarray:
        """Sessions (codes) with at least one good outcome: the ones a ranking can get right."""
        return np.unique(self.session[self.grade > 0])

    def per_session(self, values: np.ndarray) -> np.ndarray:
        """Sum `values` per session."""
        totals = np.bincount(self.session, weights=values, minlength=self.n_sessions)
        return totals[self.judged]


def _gain(grade: np.ndarray) -> np.ndarray:
    return np.exp2(np.clip(grade, 0, None)) - 1.0


@dataclass(frozen=True)
class NDCG:
    """NDCG at `k`, per session."""

    k: int

    def per_session(self, lists: RankedLists) -> np.ndarray:
        """Each session's NDCG at `k`."""
        within = lists.rank <= self.k
        dcg = lists.per_session(np.where(within, _gain(lists.grade) / np.log2(lists.rank + 1), 0))
        ideal = RankedLists.rank_by(
            lists.session, lists.grade, lists.grade.astype(float), lists.rank
        )
        ideal_within = ideal.rank <= self.k
        idcg = ideal.per_session(
            np.where(ideal_within, _gain(ideal.grade) / np.log2(ideal.rank + 1), 0)
        )
        return dcg / idcg


@dataclass(frozen=True)
class HitRate:
    """Whether a good product is in the top `k`, per session."""

    k: int

    def per_session(self, lists: RankedLists) -> np.ndarray:
        """Each session's hit (1) or miss (0) in the top `k`."""
        hits = lists.per_session(((lists.rank <= self.k) & (lists.grade > 0)).astype(float))
        return (hits > 0).astype(float)


@dataclass(frozen=True)
class MRR:
    """Mean reciprocal rank of the first good product, per session."""

    def per_session(self, lists: RankedLists) -> np.ndarray:
        """Each session's reciprocal rank of its first good product (0 when none)."""
        good_rank = np.where(lists.grade > 0, lists.rank, np.inf)
        first = np.full(lists.n_sessions, np.inf)
        np.minimum.at(first, lists.session, good_rank)
        return 1.0 / first[lists.judged]


@dataclass(frozen=True)
class AUC:
    """Chance a product with a good outcome outscores one without (all held-out rows)."""

    def whole(self, lists: RankedLists) -> float:
        """The AUC over every shown product."""
        good = lists.grade > 0
        if good.all() or not good.any():
            return float("nan")
        return float(roc_auc_score(good, lists.score))


@dataclass(frozen=True)
class CatalogCoverage:
    """Share of the catalog that reaches some shopper's top k (over full candidate lists)."""

    k: int

    def whole(self, lists: RankedLists, catalog_size: int) -> float:
        """The share of the catalog that appears in some top `k`."""
        seen = np.unique(lists.item[lists.rank <= self.k])
        return len(seen) / catalog_size if catalog_size else float("nan")


PerSessionMetric = NDCG | HitRate | MRR
DEFAULT_METRICS: dict[str, PerSessionMetric | AUC] = {
    "ndcg@5": NDCG(5),
    "hit_rate@1": HitRate(1),
    "mrr": MRR(),
    "auc": AUC(),
}
PRIMARY_METRIC = "ndcg@5"


def calc_metrics(
    metrics: dict[str, PerSessionMetric | AUC], lists: RankedLists
) -> dict[str, np.ndarray | float]:
    """Every metric on one ranker's lists: per-session arrays, or one number for AUC."""
    found: dict[str, np.ndarray | float] = {}
    for name, metric in metrics.items():
        found[name] = metric.whole(lists) if isinstance(metric, AUC) else metric.per_session(lists)
    return found
