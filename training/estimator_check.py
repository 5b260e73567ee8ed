"""Does the corrected evaluation find the truth? One simulated shop per seed, judged both ways.

Each run simulates a shop logged by rules-only with a small explore share, trains the candidate
as `recommender train` does, and compares what the evaluation says about (candidate minus
rules-only) with what the simulator knows to be true. A deliberately damaged candidate (the
candidate's scores shuffled across products) goes through the same trust rule.

    check = check_seed(engine, seed=0)
    check.corrected.covers(check.true_difference)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from recommender.model.learned import LearnedReranker
from recommender.shopper.engine import Engine
from recommender.shopper.ranker import RULES_ONLY, Pairs, RulesOnlyRanker
from training.counterfactual import PRIMARY_ESTIMATOR, Difference
from training.evaluate import Evaluation, evaluate
from training.metrics import PRIMARY_METRIC
from training.model import fit_ranker
from training.pipeline import Prepared, position_curve, prepare_frames
from training.simulate import SimulatedFeedback, simulate
from training.trust import trust_decision
from training.truth import TRUE_NDCG, true_metrics

CHECK_SESSIONS = 8000
CHECK_EXPLORE_SHARE = 0.05
CANDIDATE = "candidate"
SHUFFLED = "shuffled candidate"


@dataclass(frozen=True)
class ShuffledRanker:
    """A damaged ranker: another ranker's scores, shuffled across the rows."""

    inner: Any
    seed: int = 0
    name: str = SHUFFLED

    def score(self, pairs: Pairs) -> np.ndarray:
        """The inner ranker's scores, shuffled."""
        scores = np.asarray(self.inner.score(pairs), float)
        return np.random.default_rng(self.seed).permutation(scores)


@dataclass(frozen=True)
class SeedCheck:
    """Estimates and truth of (candidate - rules-only) in one simulated shop."""

    seed: int
    corrected: Difference
    uncorrected: Difference
    true_difference: float  # of the corrected estimator's quantity
    true_ndcg: dict[str, float]  # per ranker, mean over held-out sessions
    trusted: bool
    shuffled_trusted: bool
    shuffled_reason: str
    effective_sample_size: float
    n_sessions: int

    @property
    def sign_right(self) -> bool:
        """Whether the corrected estimate has the true difference's sign."""
        return np.sign(self.corrected.mean) == np.sign(self.true_difference)

    @property
    def covered(self) -> bool:
        """Whether the corrected interval covers the true difference."""
        return self.corrected.covers(self.true_difference)

    @property
    def uncorrected_covered(self) -> bool:
        """Whether the uncorrected interval covers the true difference."""
        return self.uncorrected.covers(self.true_difference)

    @property
    def ndcg_ratio(self) -> float:
        """The candidate's true NDCG over rules-only's."""
        return self.true_ndcg[CANDIDATE] / self.true_ndcg[RULES_ONLY]


def simulated_shop(
    engine: Engine,
    seed: int,
    sessions: int = CHECK_SESSIONS,
    explore_share: float = CHECK_EXPLORE_SHARE,
) -> tuple[SimulatedFeedback, Prepared]:
    """One simulated shop's feedback and its prepared frames, for seed `seed`."""
    feedback = simulate(engine, sessions, seed=seed, explore_share=explore_share)
    return feedback, prepare_frames(engine, feedback.sessions, feedback.events)


def check_seed(
    engine: Engine,
    seed: int,
    *,
    sessions: int = CHECK_SESSIONS,
    explore_share: float = CHECK_EXPLORE_SHARE,
    shop: tuple[SimulatedFeedback, Prepared] | None = None,
) -> SeedCheck:
    """Simulate (unless `shop` is given), train, evaluate and compare with the truth."""
    feedback, prepared = shop or simulated_shop(engine, seed, sessions, explore_share)
    candidate = LearnedReranker(CANDIDATE, fit_ranker(prepared.train, seed=0))
    shuffled = ShuffledRanker(candidate, seed)
    rules = RulesOnlyRanker()
    curve = position_curve(prepared, seed)
    evaluation = evaluate(candidate, [rules], prepared.test, seed=seed, curve=curve)
    damaged = evaluate(shuffled, [rules], prepared.test, seed=seed, curve=curve)
    test = prepared.test
    scores = {r.name: r.score(test) for r in (candidate, rules, shuffled)}
    truth = true_metrics(feedback.world, feedback.sessions, test, scores)
    return SeedCheck(
        seed=seed,
        corrected=_required(evaluation.corrected_difference(RULES_ONLY)),
        uncorrected=_required(evaluation.difference(RULES_ONLY, PRIMARY_METRIC)),
        true_difference=truth[CANDIDATE][PRIMARY_ESTIMATOR] - truth[RULES_ONLY][PRIMARY_ESTIMATOR],
        true_ndcg={name: values[TRUE_NDCG] for name, values in truth.items()},
        trusted=_trust(prepared, evaluation)["trusted"],
        shuffled_trusted=_trust(prepared, damaged)["trusted"],
        shuffled_reason=_trust(prepared, damaged)["reason"],
        effective_sample_size=_required(evaluation.corrected).effective_sample_size,
        n_sessions=test.n_sessions,
    )


def _trust(prepared: Prepared, evaluation: Evaluation) -> dict[str, Any]:
    return trust_decision(prepared.train.n_sessions, evaluation)


def _required(value):
    if value is None:
        raise ValueError("the simulated shop gave no corrected comparison")
    return value
