"""Fitting the re-ranker on a ranking dataset (the estimator itself is `recommender.model.learned`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from recommender.feedback import columns as col
from recommender.model.learned import LambdaRanker
from training.dataset import GRADE, RankingDataset

# Above this many shown products, sessions are sampled (whole sessions, so every kept ranking
# stays complete): time and memory stay bounded at a million events.
MAX_TRAIN_ROWS = 300_000


def fit_ranker(
    train: RankingDataset,
    *,
    correction: str = "position",
    seed: int = 0,
    max_rows: int = MAX_TRAIN_ROWS,
    **params: Any,
) -> LambdaRanker:
    """A fitted re-ranker; the same data and seed give the same model."""
    sample = bounded_sample(train, max_rows, seed)
    # The model knows the products it learnt from: any other (new since the logs, or never in a
    # session worth fitting on) is unknown to it and is scored as an average known product.
    vocabulary = tuple(sorted(set(sample.rows[col.SKU])))
    estimator = LambdaRanker(
        correction=correction, sku_vocabulary=vocabulary, random_state=seed, **params
    )
    return estimator.fit(
        sample.features(vocabulary), sample.rows[GRADE].to_numpy(), group=session_sizes(sample)
    )


def session_sizes(data: RankingDataset) -> np.ndarray:
    """Rows per session, in row order; a session's rows must be next to each other."""
    sessions = data.rows[col.SESSION_ID].to_numpy()
    if len(sessions) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sessions[1:] != sessions[:-1]])
    if len(starts) != len(set(sessions)):
        raise ValueError("a session's rows are not next to each other in the dataset")
    return np.diff(np.r_[starts, len(sessions)])


def bounded_sample(train: RankingDataset, max_rows: int, seed: int) -> RankingDataset:
    """The sessions worth fitting on: those with a good outcome, sampled past `max_rows`."""
    # A session where nothing happened has no pair to learn from: LambdaRank gains nothing from
    # it, so it is dropped first. Past that, whole sessions are sampled.
    sessions = train.rows[col.SESSION_ID]
    useful = (train.rows[GRADE] > 0).groupby(sessions, sort=False).transform("any").to_numpy()
    if useful.sum() <= max_rows:
        return train.subset(useful)
    ids = sessions.loc[useful].unique()
    rows_per_session = useful.sum() / len(ids)
    rng = np.random.default_rng(seed)
    keep_ids = rng.choice(ids, size=max(int(max_rows / rows_per_session), 1), replace=False)
    return train.subset(useful & sessions.isin(keep_ids).to_numpy())
