"""The seam for a learned re-ranker: what the engine asks of a trained model.

The engine first decides, with the rules and the safety screen, which products may be shown;
a re-ranker only scores those candidates, so it can reorder them but never add one back.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from recommender.answers import Answers


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
