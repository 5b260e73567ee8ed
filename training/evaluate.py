"""Held-out evaluation: metrics per ranker and paired-bootstrap intervals of their differences.

Where shoppers saw the ranked order, a product shown first gets more clicks just for being
first, which would flatter whichever ranker produced that order (the rules). So evaluation uses
the held-out *explore* sessions (shown in uniformly random order) when there are at least
MIN_EXPLORE_SESSIONS of them, and says so; otherwise all held-out sessions, flagged as biased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.feedback import columns as col
from training.dataset import RankingDataset
from training.full_lists import full_list_metrics
from training.metrics import DEFAULT_METRICS, PRIMARY_METRIC, calc_metrics
from training.rankers import Ranker, ranked_lists

MIN_EXPLORE_SESSIONS = 100
BOOTSTRAP_ROUNDS = 1000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Difference:
    """Candidate minus baseline on one metric, with a paired-bootstrap interval."""

    mean: float
    low: float
    high: float

    @property
    def above_zero(self) -> bool:
        return self.low > 0


@dataclass
class Evaluation:
    """What `train` and `evaluate` print: metrics per ranker, differences vs the candidate."""

    candidate: str
    evaluated_on: str
    n_sessions: int
    n_judged: int
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    differences: dict[str, dict[str, Difference]] = field(default_factory=dict)

    def difference(self, baseline: str, metric: str = PRIMARY_METRIC) -> Difference | None:
        return self.differences.get(baseline, {}).get(metric)

    def to_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "evaluated_on": self.evaluated_on,
            "sessions": self.n_sessions,
            "sessions_with_a_good_outcome": self.n_judged,
            "metrics": self.metrics,
            "differences": {
                base: {m: vars(d) for m, d in diffs.items()}
                for base, diffs in self.differences.items()
            },
        }


def evaluation_rows(test: RankingDataset) -> tuple[RankingDataset, str]:
    """The held-out rows to judge on, and a phrase saying which they are."""
    explore = (test.rows[col.POLICY] == col.EXPLORE).to_numpy()
    n_explore = test.rows.loc[explore, col.SESSION_ID].nunique()
    if n_explore >= MIN_EXPLORE_SESSIONS:
        return test.subset(explore), "held-out explore sessions (random order: unbiased)"
    return test, (
        f"all held-out sessions (only {n_explore} explore sessions, fewer than "
        f"{MIN_EXPLORE_SESSIONS}: biased towards the order shoppers saw)"
    )


def evaluate(
    candidate: Ranker,
    baselines: list[Ranker],
    test: RankingDataset,
    *,
    seed: int = 0,
    full_lists: RankingDataset | None = None,
    catalog_size: int = 0,
) -> Evaluation:
    """Score `candidate` and `baselines` on the held-out rows and compare them pair-wise.

    With `full_lists` (from `training.full_lists.candidate_lists`), hit rate at 5 and catalog
    coverage are judged on every product the engine allows as well.
    """
    rows, evaluated_on = evaluation_rows(test)
    per_ranker = {}
    for ranker in [candidate, *baselines]:
        per_ranker[ranker.name] = calc_metrics(DEFAULT_METRICS, ranked_lists(ranker, rows))
        if full_lists is not None:
            per_ranker[ranker.name].update(full_list_metrics(ranker, full_lists, catalog_size))
    judged = len(per_ranker[candidate.name][PRIMARY_METRIC])
    result = Evaluation(candidate.name, evaluated_on, rows.n_sessions, judged)
    for name, values in per_ranker.items():
        result.metrics[name] = {m: _summary(v) for m, v in values.items()}
    mine = per_ranker[candidate.name]
    for baseline in baselines:
        theirs = per_ranker[baseline.name]
        result.differences[baseline.name] = {
            m: paired_bootstrap(mine[m], theirs[m], seed=seed)
            for m in mine
            if isinstance(mine[m], np.ndarray)
        }
    return result


def paired_bootstrap(
    mine: np.ndarray, theirs: np.ndarray, *, seed: int = 0, rounds: int = BOOTSTRAP_ROUNDS
) -> Difference:
    """Mean of (mine - theirs) over sessions, with a percentile interval from resampled sessions."""
    diffs = np.asarray(mine, float) - np.asarray(theirs, float)
    if len(diffs) == 0:
        return Difference(float("nan"), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = np.empty(rounds)
    per_batch = max(1, 2_000_000 // len(diffs))  # bounds memory on large test sets
    for start in range(0, rounds, per_batch):
        count = min(per_batch, rounds - start)
        picks = rng.integers(0, len(diffs), size=(count, len(diffs)))
        means[start : start + count] = diffs[picks].mean(axis=1)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Difference(float(diffs.mean()), float(low), float(high))


def _summary(value: np.ndarray | float) -> float:
    if isinstance(value, np.ndarray):
        return float(value.mean()) if len(value) else float("nan")
    return float(value)


def format_table(evaluation: Evaluation) -> str:
    """A plain-text table: one line per ranker, then the candidate's differences."""
    names = list(evaluation.metrics)
    metrics = list(next(iter(evaluation.metrics.values()), {}))
    width = max([len(n) for n in names] + [12])
    lines = [
        f"evaluated on {evaluation.evaluated_on}: {evaluation.n_sessions} sessions, "
        f"{evaluation.n_judged} with a good outcome",
        f"{'ranker':<{width}}  " + "  ".join(f"{m:>10}" for m in metrics),
    ]
    for name in names:
        cells = "  ".join(
            f"{evaluation.metrics[name].get(m, float('nan')):>10.4f}" for m in metrics
        )
        lines.append(f"{name:<{width}}  {cells}")
    lines.append(
        "(hit_rate@5 and coverage@5 rank every product the engine allows; the others re-order "
        "the products each shopper saw)"
    )
    lines.append("")
    lines.append(f"{evaluation.candidate} minus baseline, mean [95% paired-bootstrap interval]:")
    for baseline, diffs in evaluation.differences.items():
        cells = ", ".join(
            f"{m} {d.mean:+.4f} [{d.low:+.4f}, {d.high:+.4f}]" for m, d in diffs.items()
        )
        lines.append(f"  vs {baseline}: {cells}")
    return "\n".join(lines)
