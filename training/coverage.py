"""Catalog coverage: how much of the catalog a ranker would ever put in a shopper's top 5.

Judged over full candidate lists (every product the engine would show, safety and budget
applied), not just the five products a shopper saw, for a sample of held-out sessions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.engine import MAX_K, Engine
from recommender.features import answer_features
from recommender.feedback import columns as col
from recommender.ranking_features import answer_matrix, rule_score_from_raw
from training.dataset import GRADE, RankingDataset
from training.metrics import CatalogCoverage
from training.rankers import Ranker

COVERAGE_SESSIONS = 300
COVERAGE_K = 5


def candidate_lists(engine: Engine, sessions: pd.DataFrame) -> RankingDataset:
    """Every product the engine would show each session (up to MAX_K), as dataset rows."""
    sample = sessions.head(COVERAGE_SESSIONS).reset_index(drop=True)
    feature_sets = [answer_features(a) for a in sample[col.ANSWERS]]
    raw_all = engine.rule_totals(feature_sets)
    product_codes = pd.Index(engine.catalog.products["sku"])
    session_index, skus = [], []
    for index, answers in enumerate(sample[col.ANSWERS]):
        for item in engine.recommend(answers, MAX_K).items:
            session_index.append(index)
            skus.append(item.sku)
    session_index_arr = np.asarray(session_index, dtype=int)
    product_index = product_codes.get_indexer(skus)
    raw = raw_all[session_index_arr, product_index] if skus else np.zeros(0)
    rows = pd.DataFrame(
        {
            col.SESSION_ID: sample[col.SESSION_ID].to_numpy()[session_index_arr],
            col.SKU: skus,
            col.POSITION: 1,
            GRADE: 0,
        }
    )
    return RankingDataset(
        rows=rows,
        session_index=session_index_arr,
        product_index=product_index,
        answers=answer_matrix(feature_sets),
        products=engine.catalog.products,
        rule_raw=raw,
        rule_score=rule_score_from_raw(engine, raw),
    )


def catalog_coverage(rankers: list[Ranker], candidates: RankingDataset, catalog_size: int):
    """{ranker name: share of the catalog in some session's top COVERAGE_K}."""
    metric = CatalogCoverage(COVERAGE_K)
    found: dict[str, float] = {}
    for ranker in rankers:
        scores = ranker.score_rows(candidates) if len(candidates) else np.zeros(0)
        ranked = candidates.rows.assign(score=scores).sort_values(
            [col.SESSION_ID, "score", col.SKU], ascending=[True, False, True], kind="stable"
        )
        tops = ranked.groupby(col.SESSION_ID, sort=False)[col.SKU].apply(list).tolist()
        found[ranker.name] = metric.whole_from_tops(tops, catalog_size)
    return found
