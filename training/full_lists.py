"""Judging rankers on every product the engine allows, not only the few a shopper saw.

Re-ordering what a shopper saw cannot tell rankers apart at 5: with five products shown, all of
them are in any ranker's top 5, so a hit rate at 5 on them is always 1. Here each held-out
session's full candidate list (every product the engine would show, with the safety screen,
stock and budget applied) is rebuilt, graded with what the shopper did with the products they
saw (unseen ones count as no outcome), and ranked by each ranker:

* hit_rate@5: share of sessions with a good outcome where a product the shopper acted on is in
  the ranker's top 5 of that list. In explore sessions the shown products were a uniformly
  random draw from the list, so no ranker is favoured by what happened to be shown;
* coverage@5: the share of the catalog that reaches some session's top 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.feedback import columns as col
from recommender.shopper.engine import MAX_K, Engine
from recommender.shopper.ranker import Ranker
from training.dataset import GRADE, RankingDataset, assemble
from training.metrics import CatalogCoverage, HitRate
from training.rankers import ranked_lists

FULL_LIST_SESSIONS = 1000
FULL_LIST_K = 5
HIT_RATE = f"hit_rate@{FULL_LIST_K}"
COVERAGE = f"coverage@{FULL_LIST_K}"


def candidate_lists(
    engine: Engine, sessions: pd.DataFrame, graded: RankingDataset
) -> RankingDataset:
    """Full candidate lists for up to FULL_LIST_SESSIONS of `graded`'s sessions with a good
    outcome (earliest first), each product graded with what the shopper did with it."""
    judged = graded.rows.loc[graded.rows[GRADE] > 0, col.SESSION_ID].drop_duplicates()
    picked = set(judged.head(FULL_LIST_SESSIONS))
    sample = sessions.loc[sessions[col.SESSION_ID].isin(picked)].reset_index(drop=True)
    product_codes = pd.Index(engine.catalog.products["sku"])
    session_index, skus = [], []
    for index, answers in enumerate(sample[col.ANSWERS]):
        for item in engine.rank(answers, MAX_K).items:
            session_index.append(index)
            skus.append(item.sku)
    session_index_arr = np.asarray(session_index, dtype=int)
    rows = pd.DataFrame(
        {
            col.SESSION_ID: sample[col.SESSION_ID].to_numpy()[session_index_arr],
            col.SKU: skus,
            col.POSITION: 1,
        }
    )
    outcomes = graded.rows[[col.SESSION_ID, col.SKU, GRADE]]
    rows = rows.merge(outcomes, on=[col.SESSION_ID, col.SKU], how="left")
    rows[GRADE] = rows[GRADE].fillna(0).astype(np.int8)
    product_index = product_codes.get_indexer(skus)
    return assemble(rows, session_index_arr, product_index, sample[col.ANSWERS], engine)


def full_list_metrics(
    ranker: Ranker, lists: RankingDataset, catalog_size: int
) -> dict[str, np.ndarray | float]:
    """{HIT_RATE: one value per session with a good outcome, COVERAGE: one number}."""
    ranked = ranked_lists(ranker, lists)
    return {
        HIT_RATE: HitRate(FULL_LIST_K).per_session(ranked),
        COVERAGE: CatalogCoverage(FULL_LIST_K).whole(ranked, catalog_size),
    }
