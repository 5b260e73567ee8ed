"""Rankers that try to push what the safety rules hold back: a test must show they cannot."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.shopper.guidance import NG59_CATEGORIES, NG226_CATEGORIES, NG226_HIP_CATEGORIES
from recommender.shopper.ranker import Pairs

# Every support NICE NG226 names for the knee and hip (issue 19: its devices recommendation).
NG226_SUPPORT_CATEGORIES = (
    *NG226_CATEGORIES,
    *NG226_HIP_CATEGORIES,
    "knee_sleeve",
    "knee_strap",
    "orthotic_insole",
)


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


@dataclass(frozen=True)
class LovesHeatAndSupports:
    """Gives its top score to what issue 19's closed gaps hold back or move down (heat products
    after a fresh injury; NICE NG226's hip supports, knee sleeves, straps and insoles), and
    nothing to anything else."""

    name: str = "m-heat-and-supports"

    def score(self, pairs: Pairs) -> np.ndarray:
        candidates = pairs.candidates
        wanted = candidates["heat"] | candidates["category"].isin(NG226_SUPPORT_CATEGORIES)
        return wanted.to_numpy(float)
