"""The baselines an evaluation compares the learned model with, learned from a training set.

Each follows the one ranker contract, `recommender.shopper.ranker.Ranker`, like rules-only
(`RulesOnlyRanker`) and the learned model (`LearnedReranker`): a `RankingDataset` is the pairs
they score (higher = shown earlier).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.feedback import columns as col
from recommender.model.features import (
    POSITION,
    cached_product_table,
    pair_features,
    product_attributes,
)
from recommender.shopper.ranker import RULES_ONLY, Pairs, Ranker, RulesOnlyRanker
from training.dataset import GRADE, RankingDataset
from training.metrics import RankedLists
from training.model import MAX_TRAIN_ROWS, bounded_sample, session_sizes

__all__ = [
    "LIGHTGBM_BASELINE",
    "POPULARITY",
    "RULES_ONLY",
    "LightGBMBaseline",
    "PopularityRanker",
    "RulesOnlyRanker",
    "ranked_lists",
]

POPULARITY = "popularity"
LIGHTGBM_BASELINE = "lightgbm-lambdarank, unbiased"
# Pseudo-impressions pulling a rarely shown product's rate towards the overall rate.
POPULARITY_PRIOR_WEIGHT = 20.0


class PopularityRanker:
    """Each product's smoothed rate of good outcomes in the training rows, for everyone."""

    name = POPULARITY

    def __init__(self, *, prior_weight: float = POPULARITY_PRIOR_WEIGHT) -> None:
        self.prior_weight = prior_weight

    def fit(self, data: RankingDataset) -> PopularityRanker:
        """Count each product's good outcomes in `data`; returns self."""
        good = pd.Series(data.positive, index=data.rows[col.SKU].to_numpy())
        overall = float(good.mean()) if len(good) else 0.0
        stats = good.groupby(level=0).agg(["sum", "count"])
        rate = (stats["sum"] + self.prior_weight * overall) / (stats["count"] + self.prior_weight)
        self.rate_ = rate.to_dict()
        self.overall_ = overall
        return self

    def score(self, pairs: Pairs) -> np.ndarray:
        """A product never seen in training gets the overall rate."""
        skus = pd.Series(pairs.skus, dtype=object)
        return skus.map(self.rate_).fillna(self.overall_).to_numpy(float)


class LightGBMBaseline:
    """The published reference: LightGBM's stock LambdaRank, unbiased (the shown positions as
    the Dataset `position`), with `LGBMRanker`'s default parameters, on the same features and
    training sessions as our learner. Our learner has to do at least as well.

    `LGBMRanker.fit` (LightGBM 4.7) takes no `position`, so this calls `lightgbm.train` with
    the parameters an `LGBMRanker()` would pass.
    """

    name = LIGHTGBM_BASELINE

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed

    def fit(self, data: RankingDataset) -> LightGBMBaseline:
        """Fit stock LightGBM LambdaRank on `data`, with position-bias correction; returns self."""
        import lightgbm as lgb

        self.sku_vocabulary_ = tuple(sorted(data.products["sku"]))
        self._tables: dict[str, np.ndarray] = {}  # served catalogs' attribute rows
        # The same sessions our learner fits on (the useful ones, sampled past MAX_TRAIN_ROWS),
        # as one float32 matrix: a DataFrame of every training row, then its copy, was most of
        # the peak memory of `train` at a million events.
        sample = bounded_sample(data, MAX_TRAIN_ROWS, self.seed)
        table = product_attributes(sample.products, self.sku_vocabulary_).to_numpy(np.float32)
        stock = lgb.LGBMRanker(random_state=self.seed, n_jobs=1, verbosity=-1)
        params = {**stock.get_params(), "objective": "lambdarank", "seed": self.seed}
        rounds = params.pop("n_estimators")
        for name in ("class_weight", "importance_type", "random_state", "n_jobs", "silent"):
            params.pop(name, None)
        params = {k: v for k, v in params.items() if v is not None}
        train = lgb.Dataset(
            pair_features(sample, table),
            label=np.clip(sample.rows[GRADE].to_numpy(), 0, None),
            group=session_sizes(sample),
            position=sample.rows[POSITION].to_numpy(np.int32),
        )
        self.booster_ = lgb.train({**params, "num_threads": 1}, train, rounds)
        return self

    def score(self, pairs: Pairs) -> np.ndarray:
        """Each pair's LightGBM score."""
        if len(pairs) == 0:
            return np.zeros(0)
        table = cached_product_table(self._tables, pairs, self.sku_vocabulary_)
        return np.asarray(self.booster_.predict(pair_features(pairs, table), num_threads=1))


def ranked_lists(ranker: Ranker, data: RankingDataset) -> RankedLists:
    """Each session's rows of `data` in `ranker`'s order (ties broken by sku)."""
    scores = ranker.score(data) if len(data) else np.zeros(0)
    return RankedLists.rank_by(
        data.rows[col.SESSION_ID].to_numpy(),
        data.rows[GRADE].to_numpy(),
        np.asarray(scores, float),
        data.rows[col.SKU].to_numpy(),
    )
