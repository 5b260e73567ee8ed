"""How a result is shown: the ranked order, or (for a small share of sessions) an exploration.

Exploration reorders only the served ranking's best `top_n` products (RECOMMENDER_EXPLORE_TOP_N,
default 10), so logged feedback also covers positions and products the ranking would not have
put there, while a shopper still sees only good matches. The order is a Plackett-Luce draw
whose weights depend on the served rank alone (rank r weighs 1 / r): the best match still
leads a third of the time, and every one of the top n can reach every position. Because the
weights are ranks, not scores, the chance of each product at each position is exact, the same
for every session of that size, and does not move when a merchandiser rescales the blend; it
is computed once (`position_chances`) and logged with the impression, in (0, 1].

Why not a uniform shuffle of the top n: measured on the simulator (true NDCG@5 of 600 fresh
shoppers, two shops), a uniform shuffle of 10 costs an explore session 33% and 37% against the
ranked list; this draw costs 20% and 20% (`benchmarks/evaluation_bench.py` keeps the row).

The ranked order is deterministic: propensity 1.0. Exploration only chooses among what the
engine returned: it never adds or unhides a product, so the safety screen's decisions stand.
Its limit, for evaluation: a product the served ranking puts below its top n is never shown,
so no estimate can say how a ranker that prefers it would do.

    rng = numpy.random.default_rng()
    result = engine.recommend(answers, settings.explore_top_n)   # the served top n
    shown = present(result, explore_share=settings.explore_share, rng=rng, k=5)
    store.record_shown(answers, shown)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

from recommender.feedback.columns import EXPLORE, RANKED
from recommender.feedback.records import Impression
from recommender.settings import DEFAULT_EXPLORE_TOP_N
from recommender.shopper.contrast import shuffled_reason
from recommender.shopper.result import Item, Result

# How fast the chance of leading falls with the served rank: rank r weighs 1 / r ** decay.
EXPLORE_RANK_DECAY = 1.0


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
    result: Result,
    *,
    explore_share: float,
    rng: np.random.Generator,
    k: int | None = None,
    top_n: int = DEFAULT_EXPLORE_TOP_N,
) -> Presentation:
    """Explore with probability `explore_share`, otherwise show the ranked order; show `k` items
    (default: all the result holds)."""
    if not 0.0 <= explore_share <= 1.0:
        raise ValueError(f"explore_share must be from 0 to 1, got {explore_share}")
    if rng.random() < explore_share:
        return explore(result, rng, k, top_n)
    return ranked(result, k)


def ranked(result: Result, k: int | None = None) -> Presentation:
    """The engine's order, as it is, cut to the first `k`."""
    shown = result.with_items(result.items[:k])
    return Presentation(shown, RANKED, (1.0,) * len(shown.items))


def explore(
    result: Result,
    rng: np.random.Generator,
    k: int | None = None,
    top_n: int = DEFAULT_EXPLORE_TOP_N,
) -> Presentation:
    """The engine's first `top_n` items in a Plackett-Luce order by served rank, then any
    further ones in the engine's order, cut to `k`. A reordered item's propensity is its
    exact chance of that position (`position_chances`), a further one's 1.0. Each reordered
    card's first reason stops comparing it with the cards above it (the order is partly
    chance) and says the list is shuffled among the best."""
    if top_n < 1:
        raise ValueError(f"top_n must be 1 or more, got {top_n}")
    pool, further = result.items[:top_n], result.items[top_n:]
    weights = rank_weights(len(pool))
    # Gumbel keys: sorting log-weights plus Gumbel noise draws a Plackett-Luce order exactly.
    order = np.argsort(-(np.log(weights) + rng.gumbel(size=len(pool))), kind="stable")
    items = (*(_shuffled_card(pool[i]) for i in order), *further)[:k]
    shuffled = result.with_items(items)
    _check_only_engine_items(result, shuffled)
    table = position_chances(len(pool))
    chances = [float(table[served, place]) for place, served in enumerate(order)]
    chances += [1.0] * len(further)
    return Presentation(shuffled, EXPLORE, tuple(chances[: len(items)]))


def rank_weights(count: int) -> np.ndarray:
    """Plackett-Luce weight of the served ranks 1..count: 1 / rank ** EXPLORE_RANK_DECAY."""
    return 1.0 / np.arange(1, count + 1, dtype=float) ** EXPLORE_RANK_DECAY


@functools.cache
def position_chances(count: int) -> np.ndarray:
    """chances[r, p]: the exact probability that the item served at rank r + 1 is shown at
    position p + 1, summed over every order that puts it there (a sum over subsets of the
    items placed before it: 2 ** count of them, so `count` is kept small by the setting)."""
    weights = rank_weights(count)
    chances = np.zeros((count, count))
    # reach[mask]: the chance that the items in `mask` fill the first popcount(mask) positions.
    reach = np.zeros(1 << count)
    reach[0] = 1.0
    for mask in range(1 << count):
        if reach[mask] == 0.0:
            continue
        taken = [i for i in range(count) if mask >> i & 1]
        left = weights.sum() - weights[taken].sum()
        place = len(taken)
        for item in range(count):
            if not mask >> item & 1:
                step = reach[mask] * weights[item] / left
                chances[item, place] += step
                reach[mask | 1 << item] += step
    chances.setflags(write=False)
    return chances


def _shuffled_card(item: Item) -> Item:
    if not item.reasons:
        return item
    first, *rest = item.reasons
    return replace(item, reasons=(shuffled_reason(first), *rest))


def _check_only_engine_items(before: Result, after: Result) -> None:
    # Safety: exploration may choose among what the engine returned, never add to it.
    if not {i.sku for i in after.items} <= {i.sku for i in before.items}:
        raise AssertionError("exploration showed a product the engine did not return")
