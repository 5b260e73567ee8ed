"""The learned model as the engine serves it: `LearnedReranker`, and a saved model's trees and
vocabulary read without LightGBM's Python package or scikit-learn.

`LearnedReranker` is the fitted model as a `recommender.shopper.ranker.Ranker`, the contract
the engine serves with and an evaluation compares: it encodes (shopper, product) pairs as its
feature matrix (`recommender.model.features`) with numpy and scores them in one booster call.
Its estimator is a freshly fitted `recommender.model.learned.LambdaRanker` in training, or a
`ServedModel` read from the registry's verified files: the same scores, bit for bit, without
importing LightGBM's Python package (which loads scikit-learn and SciPy, about a second of CPU
on every `recommender recommend` start; see `recommender.model.booster_library`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from recommender.model.booster_library import ServedBooster
from recommender.model.features import (
    MODEL_COLUMNS,
    SKU_CODE,
    answer_matrix,
    cached_product_table,
    one_shopper_matrix,
    pair_features,
)
from recommender.shopper.ranker import Pairs

STATE_FORMAT = "recommender-lambdarank/1"
MAX_VOCABULARY = 100_000
# The estimator's parameters and what each allows (checked by `recommender.model.learned`).
WHOLE_NUMBER_RANGES: dict[str, tuple[int, int | None]] = {
    "n_estimators": (1, 5000),
    "num_leaves": (2, 1024),
    "min_child_samples": (1, None),
    "random_state": (0, 2**31 - 1),
    "n_threads": (1, 64),
}
PARAMETERS = ("correction", "sku_vocabulary", "learning_rate", "reg_lambda", *WHOLE_NUMBER_RANGES)
# A saved state's score shift for products the model never saw; a state saved before it
# existed has none (0).
UNKNOWN_SKU_SHIFT = "unknown_sku_shift"
MAX_UNKNOWN_SKU_SHIFT = 100.0
SKU_COLUMN = MODEL_COLUMNS.index(SKU_CODE)  # where a row of the model's input holds its sku code


class PairScorer(Protocol):
    """What `LearnedReranker` needs of an estimator."""

    @property
    def sku_vocabulary(self) -> Sequence[str]:
        """The skus the model knows, in the order of their sku codes."""
        ...

    def positive_score(self, X: np.ndarray) -> np.ndarray:
        """One score in (0, 1) per row of MODEL_COLUMNS."""
        ...


@dataclass(frozen=True)
class ServedModel:
    """A saved model's booster and sku vocabulary: all serving needs of it."""

    booster: ServedBooster = field(repr=False)
    sku_vocabulary: tuple[str, ...]
    unknown_sku_shift: float = 0.0

    @classmethod
    def from_saved(cls, model_text: str, state: Mapping[str, Any]) -> ServedModel:
        """The model in `model_text` (already through `check_model_text`) and `state`;
        ValueError naming what is wrong with the state."""
        vocabulary = saved_vocabulary(state)
        return cls(ServedBooster(model_text), vocabulary, saved_unknown_sku_shift(state))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """One ranking score per row of MODEL_COLUMNS, as `LambdaRanker.predict` gives it."""
        if X.ndim != 2 or X.shape[1] != len(MODEL_COLUMNS):
            raise ValueError(f"X must have {len(MODEL_COLUMNS)} columns, got shape {X.shape}")
        return with_unknown_sku_shift(self.booster.predict(X), X, self.unknown_sku_shift)

    def positive_score(self, X: np.ndarray) -> np.ndarray:
        """`predict` squashed into (0, 1) by the logistic function."""
        return 1.0 / (1.0 + np.exp(-self.predict(X)))


def with_unknown_sku_shift(scores: np.ndarray, X: np.ndarray, shift: float) -> np.ndarray:
    """`scores` with `shift` added where the row's product is one the model never saw (no sku
    code): such a product counts as much for its own sake as the average known product."""
    if shift == 0.0:
        return scores
    return scores + np.where(np.isnan(X[:, SKU_COLUMN]), shift, 0.0)


def saved_unknown_sku_shift(state: Mapping[str, Any]) -> float:
    """The saved state's shift for unknown products (0 when absent); ValueError if it is not a
    finite number of a sensible size."""
    shift = state.get(UNKNOWN_SKU_SHIFT, 0.0)
    if (
        not isinstance(shift, int | float)
        or isinstance(shift, bool)
        or not abs(shift) <= MAX_UNKNOWN_SKU_SHIFT
    ):
        raise ValueError(
            f"{UNKNOWN_SKU_SHIFT} must be a number from -{MAX_UNKNOWN_SKU_SHIFT:g} to "
            f"{MAX_UNKNOWN_SKU_SHIFT:g}, got {shift!r}"
        )
    return float(shift)


def saved_vocabulary(state: Mapping[str, Any]) -> tuple[str, ...]:
    """The sku vocabulary of a saved state, after checking its format, parameter names and
    features; ValueError naming the first problem."""
    if state.get("format") != STATE_FORMAT:
        raise ValueError(f"format must be '{STATE_FORMAT}', got {state.get('format')!r}")
    params, vocabulary = state.get("params"), state.get("sku_vocabulary")
    if not isinstance(params, dict) or set(params) - set(PARAMETERS):
        raise ValueError(f"params must be an object of {sorted(PARAMETERS)}")
    if not isinstance(vocabulary, list) or len(vocabulary) > MAX_VOCABULARY:
        raise ValueError(f"sku_vocabulary must be a list of at most {MAX_VOCABULARY} skus")
    if not all(isinstance(sku, str) for sku in vocabulary):
        raise ValueError("sku_vocabulary must hold only text skus")
    if state.get("features") != list(MODEL_COLUMNS):
        raise ValueError("features differ from the ones this version builds")
    return tuple(vocabulary)


@dataclass
class LearnedReranker:
    """The learned model as a `Ranker`: scores (shopper, product) pairs in one booster call.

    `synthetic_sessions` comes from the verified model files: how many of its training
    sessions were simulated (serving such a model always carries a notice).
    """

    model_id: str
    estimator: PairScorer
    synthetic_sessions: int = 0
    _tables: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The model's id, as the registry names it."""
        return self.model_id

    def score(self, pairs: Pairs) -> np.ndarray:
        """Each pair's score in (0, 1); a sku newer than the model is scored by its category
        and attributes."""
        if len(pairs) == 0:
            return np.zeros(0)
        table = self._product_table(pairs)
        if len(pairs.shopper_features) == 1:  # the engine's question: no temporary copies
            shopper = answer_matrix(pairs.shopper_features)
            rows = one_shopper_matrix(
                shopper, table[pairs.product_index], pairs.rule_raw, pairs.rule_score
            )
        else:
            rows = pair_features(pairs, table)
        return np.clip(self.estimator.positive_score(rows), 0.0, 1.0)

    def _product_table(self, pairs: Pairs) -> np.ndarray:
        return cached_product_table(self._tables, pairs, self.estimator.sku_vocabulary)
