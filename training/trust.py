"""When is a trained model trusted enough to serve? The thin-data rule, in one place.

A model is served (its blend weight counts) only when all of these hold:

1. it was trained on at least MIN_TRAIN_SESSIONS sessions;
2. its held-out evaluation judged at least MIN_JUDGED_SESSIONS sessions with a good outcome;
3. on held-out data it beats rules-only on NDCG@5 with the whole 95% paired-bootstrap interval
   of the difference above zero.

Otherwise the card says `"trusted": false` with the reason, and `load_for_serving` returns
rules-only with a notice: the model part of the blend stays at 0.
"""

from __future__ import annotations

from typing import Any

from training.evaluate import Evaluation
from training.metrics import PRIMARY_METRIC
from training.rankers import RULES_ONLY

MIN_TRAIN_SESSIONS = 1000
MIN_JUDGED_SESSIONS = 50
RULE = (
    f"trusted when trained on >= {MIN_TRAIN_SESSIONS} sessions, judged on >= "
    f"{MIN_JUDGED_SESSIONS} held-out sessions with a good outcome, and the 95% paired-bootstrap "
    f"interval of {PRIMARY_METRIC} minus rules-only lies above 0"
)


def trust_decision(train_sessions: int, evaluation: Evaluation) -> dict[str, Any]:
    """{"trusted": bool, "reason": str, "rule": str} for the model card."""
    difference = evaluation.difference(RULES_ONLY)
    if train_sessions < MIN_TRAIN_SESSIONS:
        reason = f"trained on {train_sessions} sessions, fewer than {MIN_TRAIN_SESSIONS}"
    elif evaluation.n_judged < MIN_JUDGED_SESSIONS:
        reason = (
            f"only {evaluation.n_judged} held-out sessions with a good outcome, "
            f"fewer than {MIN_JUDGED_SESSIONS}"
        )
    elif difference is None or not difference.above_zero:
        shown = (
            "no comparison"
            if difference is None
            else f"[{difference.low:+.4f}, {difference.high:+.4f}]"
        )
        reason = f"not shown better than rules-only: {PRIMARY_METRIC} difference interval {shown}"
    else:
        return {
            "trusted": True,
            "reason": f"beats rules-only: {PRIMARY_METRIC} +{difference.mean:.4f} "
            f"[{difference.low:+.4f}, {difference.high:+.4f}]",
            "rule": RULE,
        }
    return {"trusted": False, "reason": reason, "rule": RULE}
