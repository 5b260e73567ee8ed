"""Fitting the re-ranker on a ranking dataset (the estimator itself is `recommender.learned`)."""

from __future__ import annotations

import numpy as np

from recommender.learned import PositionAwareRanker
from training.dataset import GRADE, RankingDataset

# Above this many shown products, plain impressions (no outcome) are sampled down and the kept
# ones weighted up by the same factor: the fit stays unbiased, and time and memory stay bounded.
MAX_TRAIN_ROWS = 300_000


def fit_ranker(
    train: RankingDataset,
    *,
    correction: str = "position",
    seed: int = 0,
    max_rows: int = MAX_TRAIN_ROWS,
    **params: float,
) -> PositionAwareRanker:
    """A fitted re-ranker; the same data and seed give the same model."""
    sample, weight = _bounded(train, max_rows, seed)
    vocabulary = tuple(sorted(train.products["sku"]))
    estimator = PositionAwareRanker(
        correction=correction, sku_vocabulary=vocabulary, random_state=seed, **params
    )
    return estimator.fit(sample.features(vocabulary), sample.positive, weight)


def _bounded(train: RankingDataset, max_rows: int, seed: int) -> tuple[RankingDataset, np.ndarray]:
    if len(train) <= max_rows:
        return train, train.sample_weight
    plain = train.rows[GRADE].to_numpy() == 0
    room = max(max_rows - int((~plain).sum()), 1)
    keep_share = min(1.0, room / max(int(plain.sum()), 1))
    rng = np.random.default_rng(seed)
    keep = ~plain | (rng.random(len(train)) < keep_share)
    sample = train.subset(keep)
    weight = np.array(sample.sample_weight, dtype=float)
    weight[sample.rows[GRADE].to_numpy() == 0] /= keep_share
    return sample, weight
