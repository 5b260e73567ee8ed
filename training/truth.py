"""A ranker's true quality in a simulated shop: what the estimates in `evaluate` aim at.

Only the simulator knows each shown product's expected gain once examined
(`ShopperWorld.expected_gain`); these functions judge rankers against it, on the same
held-out sessions and shown products the estimators see, so an estimate can be checked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.feedback import columns as col
from training.counterfactual import IPS, SNIPS, TOP_K, gains_by_session, session_dcg
from training.dataset import RankingDataset
from training.simulate import ShopperWorld, true_relevance

TRUE_NDCG = f"ndcg@{TOP_K}"


def true_metrics(
    world: ShopperWorld,
    sessions: pd.DataFrame,
    data: RankingDataset,
    scores: dict[str, np.ndarray],
) -> dict[str, dict[str, float]]:
    """Per ranker: the true NDCG@5 (mean over sessions) and the true values of the corrected
    estimators (the same formulas with the true expected gains in place of the outcomes)."""
    relevance = true_relevance(world, sessions, data.rows, data.rule_score)
    per_session = gains_by_session(data, scores, relevance)
    _, session = np.unique(data.rows[col.SESSION_ID].to_numpy(), return_inverse=True)
    tie = data.rows[col.SKU].to_numpy()
    ideal = session_dcg(session, relevance, relevance, tie, len(per_session.total))
    found = {}
    for name, dcg in per_session.dcg.items():
        found[name] = {
            TRUE_NDCG: float(np.mean(dcg / ideal)),
            IPS: float(dcg.mean()),
            SNIPS: float(dcg.sum() / per_session.total.sum()),
        }
    return found
