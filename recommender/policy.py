"""How a result is shown: the ranked order, or (for a small share of sessions) an exploration.

Exploration shows the engine's own items in a uniformly random order, so that logged feedback
also covers positions the ranker would not have chosen; with the true propensities recorded,
the training pipeline can correct for position bias. For a uniform random permutation of n
items, each product lands at each position with probability 1/n. The ranked order is
deterministic: propensity 1.0. Exploration only reorders: it never adds, drops or unhides a
product, so the safety screen's decisions stand.

    rng = numpy.random.default_rng()
    shown = present(result, explore_share=settings.explore_share, rng=rng)
    store.record_shown(answers, shown)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.feedback.columns import EXPLORE, RANKED
from recommender.feedback.records import Impression
from recommender.result import Result


@dataclass(frozen=True, slots=True)
class Presentation:
    """The result as shown, the policy that ordered it, and each position's propensity."""

    result: Result
    policy: str
    propensities: tuple[float, ...]

    def impressions(self) -> tuple[Impression, ...]:
        return tuple(
            Impression(item.sku, item.rank, propensity)
            for item, propensity in zip(self.result.items, self.propensities, strict=True)
        )


def present(result: Result, *, explore_share: float, rng: np.random.Generator) -> Presentation:
    """Explore with probability `explore_share`, otherwise show the ranked order."""
    if not 0.0 <= explore_share <= 1.0:
        raise ValueError(f"explore_share must be from 0 to 1, got {explore_share}")
    if rng.random() < explore_share:
        return explore(result, rng)
    return ranked(result)


def ranked(result: Result) -> Presentation:
    """The engine's order, as it is."""
    return Presentation(result, RANKED, (1.0,) * len(result.items))


def explore(result: Result, rng: np.random.Generator) -> Presentation:
    """The engine's items in a uniformly random order; each propensity is 1/n."""
    count = len(result.items)
    order = rng.permutation(count)
    shuffled = result.with_items(tuple(result.items[i] for i in order))
    _check_same_items(result, shuffled)
    return Presentation(shuffled, EXPLORE, (1.0 / count,) * count if count else ())


def _check_same_items(before: Result, after: Result) -> None:
    # Safety: exploration may reorder what the engine returned, never change the set.
    if sorted(i.sku for i in before.items) != sorted(i.sku for i in after.items):
        raise AssertionError("exploration changed the set of shown products")
