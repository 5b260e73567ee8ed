"""Scoring the whole catalog at once: rule contributions, the blend, and the top-k pick."""

from __future__ import annotations

import numpy as np

# Raw rule totals are squashed into [0, 1) so that scores are comparable across shoppers who
# answered a lot or a little; about two strong rules bring a product to 0.63.
RULE_SCALE = 2.0


def rule_contributions(product_rule_affinity: np.ndarray, activation: np.ndarray) -> np.ndarray:
    """Products x rules: how much each fired rule adds to each product."""
    return product_rule_affinity * activation[np.newaxis, :]


def squash(raw: np.ndarray) -> np.ndarray:
    """A raw rule total squashed into [0, 1)."""
    return 1.0 - np.exp(-raw / RULE_SCALE)


def rank_order(
    scores: np.ndarray,
    eligible: np.ndarray,
    rules: np.ndarray | None = None,
    tie_rank: np.ndarray | None = None,
) -> np.ndarray:
    """Indices of the eligible products, best score first.

    An exact tie on the total is broken, never by the catalog file's row order, but by: the
    closer match to the shopper's own answers (the `rules` part) first, then `tie_rank` (the
    engine passes the lower price first, then the SKU in alphabetical order).
    """
    candidates = np.flatnonzero(eligible)
    last = candidates if tie_rank is None else tie_rank[candidates]
    closer = np.zeros(len(candidates)) if rules is None else -rules[candidates]
    return candidates[np.lexsort((last, closer, -scores[candidates]))]


def price_then_sku_rank(prices: np.ndarray, skus: list[str]) -> np.ndarray:
    """Each product's place when sorted by price (lowest first), then SKU: the last tie-break."""
    order = np.lexsort((np.array(skus, dtype=str), prices))
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    return rank


def cap_per_group(order: np.ndarray, groups: np.ndarray, cap: int, limit: int) -> list[int]:
    """The first `limit` of `order`, skipping products past the first `cap` of their group.

    A plain loop: it stops after `limit` picks, and for a handful of picks that is quicker than
    any whole-array pass, whatever the size of the catalog.
    """
    taken: dict[int, int] = {}
    picked: list[int] = []
    for index, group in zip(order.tolist(), groups[order].tolist(), strict=True):
        if taken.get(group, 0) < cap:
            taken[group] = taken.get(group, 0) + 1
            picked.append(index)
            if len(picked) == limit:
                break
    return picked
