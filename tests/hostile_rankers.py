"""Rankers that try to push what the safety rules hold back: a test must show they cannot."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.shopper.guidance import NG59_CATEGORIES, NG226_CATEGORIES
from recommender.shopper.ranker import Pairs


@dataclass(frozen=True)
class LovesBracesAndBelts:
    """Gives its top score to every brace, belt and insole (what NICE NG59 keeps out of the top
    for low back pain alone), and nothing to anything else."""

    name: str = "m-braces"

    def score(self, pairs: Pairs) -> np.ndarray:
        return pairs.candidates["category"].isin(NG59_CATEGORIES).to_numpy(float)


@dataclass(frozen=True)
class LovesHeldBackProducts:
    """Gives its top score to what revision 3's cautions hold back (compression, magnets, toe
    spacers and splints) and nothing to anything else."""

    name: str = "m-held-back"

    def score(self, pairs: Pairs) -> np.ndarray:
        candidates = pairs.candidates
        wanted = candidates["compression"] | candidates["magnetic"]
        wanted |= candidates["category"] == "bunion_corrector"
        return wanted.to_numpy(float)


@dataclass(frozen=True)
class LovesKneeBraces:
    """Gives its top score to every hinged and unloader knee brace (what NICE NG226 keeps out
    of the top for long-standing knee pain from 50 or osteoarthritis), and nothing else."""

    name: str = "m-knee-braces"

    def score(self, pairs: Pairs) -> np.ndarray:
        return pairs.candidates["category"].isin(NG226_CATEGORIES).to_numpy(float)
