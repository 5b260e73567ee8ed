"""The seam for a learned re-ranker: what the engine asks of a trained model.

The engine first decides, with the rules and the safety screen, which products may be shown;
a re-ranker only scores those candidates, so it can reorder them but never add one back.

`score_candidates` is the seam every re-ranker implements. A model may also implement
`CatalogReranker.score_catalog_rows`, the same scores from catalog row numbers and numpy
arrays: the engine then builds no DataFrame per shopper, which is most of the cost of a model
in a batch of thousands of answers.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from recommender.catalog.products import Catalog
from recommender.shopper.answers import Answers


@runtime_checkable
class Reranker(Protocol):
    """A trained model that scores candidate products for one shopper."""

    model_id: str

    def score_candidates(
        self, answers: Answers, features: frozenset[str], candidates: pd.DataFrame
    ) -> np.ndarray:
        """One score in [0, 1] per row of `candidates`.

        `candidates` holds the catalog columns of the eligible products plus `rule_score`
        (the blended rules part) and `rule_raw` (the unsquashed rule total).
        """
        ...


@runtime_checkable
class CatalogReranker(Protocol):
    """A re-ranker that can also score candidates given as catalog rows (the quick path)."""

    def score_catalog_rows(
        self,
        features: frozenset[str],
        catalog: Catalog,
        rows: np.ndarray,
        rule_raw: np.ndarray,
        rule_score: np.ndarray,
    ) -> np.ndarray:
        """One score in [0, 1] per entry of `rows` (positions in `catalog.products`), the same
        as `score_candidates` would give those products."""
        ...
