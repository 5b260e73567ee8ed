"""The learned re-ranker: a position-aware gradient-boosted classifier and its serving wrapper.

`PositionAwareRanker` is a scikit-learn estimator trained on logged feedback. Shoppers look
less at lower positions, so a click says as much about where a product was shown as about the
product. With `correction="position"` the shown position is a training feature and, when
scoring, every candidate is scored as if shown at the same position (1): the model's preference
then comes from the shopper and the product, not from the slot (the "position as a feature,
held fixed at serving" correction). `correction="none"` drops the position: the uncorrected
model, kept for comparison.

`LearnedReranker` is what the engine calls (the `Reranker` protocol): it turns one shopper's
candidates into feature rows and returns the estimator's probability of a good outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from recommender.answers import Answers
from recommender.ranking_features import (
    CATEGORICAL_COLUMNS,
    FEATURE_COLUMNS,
    POSITION,
    RULE_RAW,
    RULE_SCORE,
    answer_matrix,
    feature_rows,
    product_attributes,
)

CORRECTIONS = ("position", "none")
SERVING_POSITION = 1


class PositionAwareRanker(ClassifierMixin, BaseEstimator):
    """P(a good outcome | shopper, product), with shown-position bias corrected.

    Parameters are only stored here; `fit` checks them. `X` is a DataFrame with the columns of
    `recommender.ranking_features.FEATURE_COLUMNS`; `y` is 1 for a good outcome, 0 otherwise.
    """

    _parameter_constraints: ClassVar[dict[str, tuple]] = {
        "correction": CORRECTIONS,
        "max_iter": (1, 2000),
        "learning_rate": (1e-4, 1.0),
        "max_leaf_nodes": (2, 1024),
        "l2_regularization": (0.0, 1e6),
        "n_threads": (1, 64),
    }

    def __init__(
        self,
        *,
        correction: str = "position",
        sku_vocabulary: Sequence[str] = (),
        max_iter: int = 100,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 15,
        l2_regularization: float = 1.0,
        random_state: int = 0,
        n_threads: int = 1,
    ) -> None:
        self.correction = correction
        self.sku_vocabulary = sku_vocabulary
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.random_state = random_state
        self.n_threads = n_threads

    def fit(
        self, X: pd.DataFrame, y: np.ndarray, sample_weight: np.ndarray | None = None
    ) -> PositionAwareRanker:
        self._check_params()
        self.feature_names_in_ = np.asarray(self._input_columns(X), dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        used = self._used_columns()
        self.estimator_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization,
            categorical_features=[c in CATEGORICAL_COLUMNS for c in used],
            early_stopping=False,  # a fixed number of rounds keeps a seed's model reproducible
            random_state=self.random_state,
        )
        # One thread by default: on a busy shared machine OpenMP threads spin and wait for each
        # other, and a single thread was several times faster there.
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            self.estimator_.fit(X[used].to_numpy(np.float32), np.asarray(y), sample_weight)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, every row scored at the serving position."""
        check_is_fitted(self, "estimator_")
        columns = self._input_columns(X)
        if columns != list(self.feature_names_in_):
            missing = sorted(set(self.feature_names_in_) - set(columns))
            raise ValueError(
                f"X has {len(columns)} features, the model was fitted with "
                f"{self.n_features_in_}; missing: {missing[:5]}"
            )
        rows = X[self._used_columns()]
        if self.correction == "position":
            rows = rows.assign(**{POSITION: float(SERVING_POSITION)})
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            return self.estimator_.predict_proba(rows.to_numpy(np.float32))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def positive_score(self, X: pd.DataFrame) -> np.ndarray:
        """P(good outcome) per row, in [0, 1]."""
        proba = self.predict_proba(X)
        if 1 not in self.classes_:
            return np.zeros(len(X))
        return proba[:, list(self.classes_).index(1)]

    def _used_columns(self) -> list[str]:
        if self.correction == "none":
            return [c for c in FEATURE_COLUMNS if c != POSITION]
        return list(FEATURE_COLUMNS)

    def _input_columns(self, X: pd.DataFrame) -> list[str]:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"X must be a pandas DataFrame with named columns, got {type(X)}")
        return [str(c) for c in X.columns]

    def _check_params(self) -> None:
        for name, allowed in self._parameter_constraints.items():
            value = getattr(self, name)
            if isinstance(allowed, tuple) and isinstance(allowed[0], str):
                if value not in allowed:
                    raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
            elif not allowed[0] <= value <= allowed[1]:
                raise ValueError(f"{name} must be from {allowed[0]} to {allowed[1]}, got {value!r}")


@dataclass
class LearnedReranker:
    """The engine's view of a trained model: scores one shopper's eligible candidates."""

    model_id: str
    estimator: PositionAwareRanker
    _attributes: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def score_candidates(
        self, answers: Answers, features: frozenset[str], candidates: pd.DataFrame
    ) -> np.ndarray:
        if candidates.empty:
            return np.zeros(0)
        products = self._product_attributes(candidates)
        shopper = answer_matrix([features])
        rows = feature_rows(
            answers=np.repeat(shopper, len(candidates), axis=0),
            products=products,
            rule_raw=candidates[RULE_RAW].to_numpy(float),
            rule_score=candidates[RULE_SCORE].to_numpy(float),
            position=np.full(len(candidates), SERVING_POSITION),
        )
        return np.clip(self.estimator.positive_score(rows), 0.0, 1.0)

    def _product_attributes(self, candidates: pd.DataFrame) -> np.ndarray:
        # Product rows are built once per sku and reused for every later shopper.
        new = candidates.loc[~candidates["sku"].isin(self._attributes.keys())]
        if not new.empty:
            table = product_attributes(new, self.estimator.sku_vocabulary)
            self._attributes.update(zip(table.index, table.to_numpy(np.float32), strict=True))
        return np.vstack([self._attributes[sku] for sku in candidates["sku"]])
