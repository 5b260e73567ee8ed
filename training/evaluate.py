"""Held-out evaluation: the corrected comparison first, the explore-only check, the biased one.

Shoppers mostly saw the rules' order, and a product shown first gets more clicks just for being
first; re-scoring those clicks as they are flatters whichever ranker made that order (the
rules). So the comparison that counts is counterfactual (`training.counterfactual`): every
held-out session, each outcome divided by the estimated examination propensity of the position
it was shown at (`training.propensity`). Two more views are kept beside it:

* explore-only: held-out sessions shown in random order, where no ranker is favoured, re-scored
  as they are; few in a shop that explores 5% of sessions, so a cross-check, not the decision;
* uncorrected: every held-out session re-scored as it is, labelled biased, with the whole-list
  metrics (hit rate at 5, coverage), so the size of the bias can be seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.feedback import columns as col
from recommender.shopper.ranker import Ranker
from training.counterfactual import (
    DEFAULT_CLIP,
    Counterfactual,
    Difference,
    counterfactual_evaluation,
    paired_bootstrap,
)
from training.dataset import GRADE, RankingDataset
from training.full_lists import full_list_metrics
from training.metrics import DEFAULT_METRICS, NDCG, PRIMARY_METRIC, RankedLists, calc_metrics
from training.propensity import PositionCurve, estimate_position_bias

__all__ = ["Difference", "Evaluation", "evaluate", "format_table", "paired_bootstrap"]

UNCORRECTED = "all held-out sessions, uncorrected (biased towards the order shoppers saw)"


@dataclass(frozen=True)
class ExploreCheck:
    """The candidate's NDCG@5 lead on held-out explore sessions only (random order)."""

    n_sessions: int
    n_judged: int
    differences: dict[str, Difference]

    def to_json(self) -> dict[str, Any]:
        return {
            "sessions": self.n_sessions,
            "sessions_with_a_good_outcome": self.n_judged,
            "metric": PRIMARY_METRIC,
            "differences": {base: vars(d) for base, d in self.differences.items()},
        }


@dataclass
class Evaluation:
    """What `train` and `evaluate` print: the corrected comparison, the explore-only check and
    the uncorrected (biased) metrics per ranker with the candidate's differences."""

    candidate: str
    evaluated_on: str
    n_sessions: int
    n_judged: int
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    differences: dict[str, dict[str, Difference]] = field(default_factory=dict)
    corrected: Counterfactual | None = None
    explore_check: ExploreCheck | None = None

    def difference(self, baseline: str, metric: str = PRIMARY_METRIC) -> Difference | None:
        """The uncorrected (biased) difference on `metric`."""
        return self.differences.get(baseline, {}).get(metric)

    def corrected_difference(self, baseline: str) -> Difference | None:
        """The position-bias corrected difference that decisions are made on."""
        return None if self.corrected is None else self.corrected.difference(baseline)

    def to_json(self) -> dict[str, Any]:
        """The evaluation as plain JSON types, for the model card and `--json`."""
        return {
            "candidate": self.candidate,
            "corrected": None if self.corrected is None else self.corrected.to_json(),
            "explore_only": None if self.explore_check is None else self.explore_check.to_json(),
            "evaluated_on": self.evaluated_on,
            "biased": True,
            "sessions": self.n_sessions,
            "sessions_with_a_good_outcome": self.n_judged,
            "metrics": self.metrics,
            "differences": {
                base: {m: vars(d) for m, d in diffs.items()}
                for base, diffs in self.differences.items()
            },
        }


def evaluate(
    candidate: Ranker,
    baselines: list[Ranker],
    test: RankingDataset,
    *,
    seed: int = 0,
    full_lists: RankingDataset | None = None,
    catalog_size: int = 0,
    curve: PositionCurve | None = None,
    clip: float = DEFAULT_CLIP,
) -> Evaluation:
    """Score `candidate` and `baselines` on the held-out rows and compare them pair-wise.

    `curve` is the examination curve to correct with (default: estimated from `test`). With
    `full_lists` (from `training.full_lists.candidate_lists`), hit rate at 5 and catalog
    coverage are judged on every product the engine allows as well.
    """
    rankers = [candidate, *baselines]
    scores = {r.name: _scores(r, test) for r in rankers}
    per_ranker = {}
    for ranker in rankers:
        per_ranker[ranker.name] = calc_metrics(DEFAULT_METRICS, _lists(test, scores[ranker.name]))
        if full_lists is not None:
            per_ranker[ranker.name].update(full_list_metrics(ranker, full_lists, catalog_size))
    judged = len(np.atleast_1d(per_ranker[candidate.name][PRIMARY_METRIC]))
    result = Evaluation(candidate.name, UNCORRECTED, test.n_sessions, judged)
    for name, values in per_ranker.items():
        result.metrics[name] = {m: _summary(v) for m, v in values.items()}
    mine = per_ranker[candidate.name]
    for baseline in baselines:
        theirs = per_ranker[baseline.name]
        result.differences[baseline.name] = {
            m: paired_bootstrap(np.asarray(mine[m]), np.asarray(theirs[m]), seed=seed)
            for m in mine
            if isinstance(mine[m], np.ndarray)
        }
    if judged:
        curve = curve or estimate_position_bias(test, seed=seed)
        result.corrected = counterfactual_evaluation(
            scores, candidate.name, test, curve, clip=clip, seed=seed
        )
    result.explore_check = _explore_check(test, scores, candidate.name, seed)
    return result


def _scores(ranker: Ranker, data: RankingDataset) -> np.ndarray:
    return np.asarray(ranker.score(data), float) if len(data) else np.zeros(0)


def _lists(data: RankingDataset, scores: np.ndarray) -> RankedLists:
    return RankedLists.rank_by(
        data.rows[col.SESSION_ID].to_numpy(),
        data.rows[GRADE].to_numpy(),
        scores,
        data.rows[col.SKU].to_numpy(),
    )


def _explore_check(
    test: RankingDataset, scores: dict[str, np.ndarray], candidate: str, seed: int
) -> ExploreCheck | None:
    explore = (test.rows[col.POLICY] == col.EXPLORE).to_numpy()
    if not explore.any():
        return None
    rows = test.subset(explore)
    ndcg = {name: NDCG(5).per_session(_lists(rows, s[explore])) for name, s in scores.items()}
    differences = {
        name: paired_bootstrap(ndcg[candidate], theirs, seed=seed)
        for name, theirs in ndcg.items()
        if name != candidate
    }
    return ExploreCheck(rows.n_sessions, len(ndcg[candidate]), differences)


def _summary(value: np.ndarray | float) -> float:
    if isinstance(value, np.ndarray):
        return float(value.mean()) if len(value) else float("nan")
    return float(value)


def format_table(evaluation: Evaluation) -> str:
    """Plain text: the corrected comparison first, the explore-only check, then the biased one."""
    lines = []
    if evaluation.corrected is not None:
        lines += _corrected_lines(evaluation.candidate, evaluation.corrected)
    else:
        lines.append("corrected comparison: none (no held-out session with a good outcome)")
    check = evaluation.explore_check
    if check is not None:
        lines.append("")
        lines.append(
            f"explore-only cross-check ({check.n_sessions} held-out sessions shown in random "
            f"order, {check.n_judged} with a good outcome), {PRIMARY_METRIC}:"
        )
        lines += [f"  vs {base}: {_interval(d)}" for base, d in check.differences.items()]
    lines.append("")
    lines += _uncorrected_lines(evaluation)
    return "\n".join(lines)


def _corrected_lines(candidate: str, corrected: Counterfactual) -> list[str]:
    estimators = list(next(iter(corrected.estimates.values()), {}))
    names = list(corrected.estimates)
    width = max([len(n) for n in names] + [12])
    curve = ", ".join(
        f"{p}: {e:.2f}"
        for p, e in zip(corrected.curve.positions, corrected.curve.estimate, strict=True)
    )
    lines = [
        f"CORRECTED for position bias: {corrected.n_sessions} held-out sessions, "
        f"{corrected.n_good_outcomes} good outcomes, effective sample size "
        f"{corrected.effective_sample_size:.0f}",
        f"  estimator: {corrected.estimator} ({corrected.n_clipped} outcomes clipped)",
        f"  examination relative to position 1 ({corrected.curve.method}): {curve}",
        f"{'ranker':<{width}}  " + "  ".join(f"{e:>13}" for e in estimators),
    ]
    for name in names:
        cells = "  ".join(f"{corrected.estimates[name][e]:>13.4f}" for e in estimators)
        lines.append(f"{name:<{width}}  {cells}")
    method = next(
        (d.method for diffs in corrected.differences.values() for d in diffs.values()), ""
    )
    lines.append(f"{candidate} minus baseline, mean [95% interval, {method}]:")
    for baseline, diffs in corrected.differences.items():
        cells = ", ".join(f"{e} {_interval(d)}" for e, d in diffs.items())
        lines.append(f"  vs {baseline}: {cells}")
    return lines


def _interval(d: Difference) -> str:
    return f"{d.mean:+.4f} [{d.low:+.4f}, {d.high:+.4f}]"


def _uncorrected_lines(evaluation: Evaluation) -> list[str]:
    names = list(evaluation.metrics)
    metrics = list(next(iter(evaluation.metrics.values()), {}))
    width = max([len(n) for n in names] + [12])
    lines = [
        f"UNCORRECTED, biased: {evaluation.evaluated_on}: {evaluation.n_sessions} sessions, "
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
    lines.append(
        f"{evaluation.candidate} minus baseline, uncorrected (biased), mean [95% interval]:"
    )
    for baseline, diffs in evaluation.differences.items():
        cells = ", ".join(f"{m} {_interval(d)}" for m, d in diffs.items())
        lines.append(f"  vs {baseline}: {cells}")
    return lines
