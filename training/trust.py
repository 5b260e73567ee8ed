"""When is a trained model trusted enough to serve? The thin-data rule, in one place.

A model is served (its blend weight counts) only when all of these hold:

1. it was trained on at least MIN_TRAIN_SESSIONS sessions;
2. its held-out evaluation judged at least MIN_JUDGED_SESSIONS sessions with a good outcome;
3. on held-out data, corrected for position bias (`training.counterfactual`: every held-out
   session, outcomes divided by the estimated examination propensity of the position shown),
   it beats rules-only with the whole 95% paired-bootstrap interval of the difference above 0.

The uncorrected comparison is never the judge: on mostly-ranked logs it favours the rules' own
order. The card records the estimator, its clip, the number of sessions and the effective sample
size beside the verdict. Otherwise the card says `"trusted": false` with the reason, and
`load_for_serving` returns rules-only with a notice: the model part of the blend stays at 0.
"""

from __future__ import annotations

from typing import Any

from training.counterfactual import PRIMARY_ESTIMATOR
from training.evaluate import Evaluation
from training.rankers import RULES_ONLY

MIN_TRAIN_SESSIONS = 1000
MIN_JUDGED_SESSIONS = 50
RULE = (
    f"trusted when trained on >= {MIN_TRAIN_SESSIONS} sessions, judged on >= "
    f"{MIN_JUDGED_SESSIONS} held-out sessions with a good outcome, and the 95% paired-bootstrap "
    f"interval of the position-corrected {PRIMARY_ESTIMATOR} minus rules-only lies above 0"
)


def trust_decision(train_sessions: int, evaluation: Evaluation) -> dict[str, Any]:
    """{"trusted", "reason", "rule", "estimator", "clip", "sessions", "effective_sample_size"}."""
    difference = evaluation.corrected_difference(RULES_ONLY)
    if train_sessions < MIN_TRAIN_SESSIONS:
        trusted, reason = (
            False,
            f"trained on {train_sessions} sessions, fewer than {MIN_TRAIN_SESSIONS}",
        )
    elif evaluation.n_judged < MIN_JUDGED_SESSIONS:
        trusted, reason = (
            False,
            (
                f"only {evaluation.n_judged} held-out sessions with a good outcome, "
                f"fewer than {MIN_JUDGED_SESSIONS}"
            ),
        )
    elif difference is None or not difference.above_zero:
        shown = (
            "no comparison"
            if difference is None
            else f"{difference.mean:+.4f} [{difference.low:+.4f}, {difference.high:+.4f}]"
        )
        trusted, reason = (
            False,
            (
                f"not shown better than rules-only: position-corrected {PRIMARY_ESTIMATOR} "
                f"difference {shown}"
            ),
        )
    else:
        trusted, reason = (
            True,
            (
                f"beats rules-only: position-corrected {PRIMARY_ESTIMATOR} +{difference.mean:.4f} "
                f"[{difference.low:+.4f}, {difference.high:+.4f}]"
            ),
        )
    return {"trusted": trusted, "reason": reason, "rule": RULE, **_evidence(evaluation)}


def _evidence(evaluation: Evaluation) -> dict[str, Any]:
    corrected = evaluation.corrected
    if corrected is None:
        return {"estimator": None, "clip": None, "sessions": evaluation.n_sessions}
    return {
        "estimator": corrected.estimator,
        "clip": corrected.clip,
        "sessions": corrected.n_sessions,
        "effective_sample_size": round(corrected.effective_sample_size, 1),
    }


def verdict_line(card: dict[str, Any]) -> str:
    """The trust verdict in words for `train` and the analyst page, saying plainly when the
    sessions it learned from were simulated: "trusted" on a simulation says nothing of shoppers.
    """
    trust = card.get("trust", {})
    verdict = "trusted" if trust.get("trusted") else "NOT trusted (serves as rules-only)"
    simulated = int(card.get("synthetic_sessions", 0) or 0)
    if simulated:
        total = int(card.get("data", {}).get("train_sessions", simulated) or simulated)
        verdict += (
            f", on simulated data ({simulated:,} of {total:,} training sessions came from "
            "`recommender simulate`, not from shoppers: a demo only)"
        )
    return f"{verdict}: {trust.get('reason', '')}"
