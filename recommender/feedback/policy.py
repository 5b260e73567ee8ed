"""How a result is shown: the ranked order, or (for a small share of sessions) an exploration.

Exploration shows k of the engine's eligible items (all it returned, not only its top k) in a
uniformly random order, so that logged feedback also covers products and positions the ranker
would not have chosen; with the true propensities recorded, the training pipeline can correct
for position bias. A uniformly random ordering of n items, cut to its first k, puts each
product at each position with probability 1/n. The ranked order is deterministic: propensity
1.0. Each propensity is conditional on the session's recorded policy, so an unbiased estimate
reweights within the `explore` sessions (as training/evaluate.py does); mixing in `ranked`
sessions would need the share folded in. Exploration only chooses among what the engine
returned: it never adds or unhides a product, so the safety screen's decisions stand.

    rng = numpy.random.default_rng()
    result = engine.recommend(answers, MAX_K)        # every eligible product
    shown = present(result, explore_share=settings.explore_share, rng=rng, k=5)
    store.record_shown(answers, shown)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recommender.feedback.columns import EXPLORE, RANKED
from recommender.feedback.records import Impression
from recommender.shopper.result import Result


@dataclass(frozen=True, slots=True)
class Presentation:
    """The result as shown, the policy that ordered it, and each position's propensity."""

    result: Result
    policy: str
    propensities: tuple[float, ...]

    def impressions(self) -> tuple[Impression, ...]:
        """One impression per product shown, with its position and propensity."""
        return tuple(
            Impression(item.sku, item.rank, propensity)
            for item, propensity in zip(self.result.items, self.propensities, strict=True)
        )


def present(
    result: Result, *, explore_share: float, rng: np.random.Generator, k: int | None = None
) -> Presentation:
    """Explore with probability `explore_share`, otherwise show the ranked order; show `k` items
    (default: all the result holds)."""
    if not 0.0 <= explore_share <= 1.0:
        raise ValueError(f"explore_share must be from 0 to 1, got {explore_share}")
    if rng.random() < explore_share:
        return explore(result, rng, k)
    return ranked(result, k)


def ranked(result: Result, k: int | None = None) -> Presentation:
    """The engine's order, as it is, cut to the first `k`."""
    shown = result.with_items(result.items[:k])
    return Presentation(shown, RANKED, (1.0,) * len(shown.items))


def explore(result: Result, rng: np.random.Generator, k: int | None = None) -> Presentation:
    """`k` of the engine's items, drawn in a uniformly random order; each propensity is 1/n."""
    count = len(result.items)
    order = rng.permutation(count)[:k]
    shuffled = result.with_items(tuple(result.items[i] for i in order))
    _check_only_engine_items(result, shuffled)
    return Presentation(shuffled, EXPLORE, tuple(1.0 / count for _ in order))


def _check_only_engine_items(before: Result, after: Result) -> None:
    # Safety: exploration may choose among what the engine returned, never add to it.
    if not {i.sku for i in after.items} <= {i.sku for i in before.items}:
        raise AssertionError("exploration showed a product the engine did not return")
