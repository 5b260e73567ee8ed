"""Rankers that try to push what the safety rules hold back: a test must show they cannot."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.shopper.guidance import NG59_CATEGORIES
from recommender.shopper.ranker import Pairs


@dataclass(frozen=True)
class LovesBracesAndBelts:
    """Gives its top score to every brace, belt and insole (what NICE NG59 keeps out of the top
    for low back pain alone), and nothing to anything else."""

    name: str = "m-braces"

    def score(self, pairs: Pairs) -> np.ndarray:
        return pairs.candidates["category"].isin(NG59_CATEGORIES).to_numpy(float)
