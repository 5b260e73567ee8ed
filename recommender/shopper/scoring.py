"""Scoring the whole catalog at once: rule contributions, the blend, and the top-k pick."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from recommender.catalog.sizes import SizeFit
from recommender.shopper.guidance import BY_ID as PLACEMENTS_BY_ID
from recommender.shopper.guidance import guidance_parts

GUIDANCE = 3  # the column of `Scored.parts` a placement's guidance part goes in
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


@dataclass
class Scored:
    """One shopper's scores over the whole catalog (rows follow the catalog's order)."""

    contributions: np.ndarray
    parts: np.ndarray  # products x (rules, model, boost, guidance)
    relevant: np.ndarray
    blocked_by: dict[int, str]
    affordable: np.ndarray
    eligible: np.ndarray
    warnings: tuple[tuple[str, np.ndarray], ...]  # (caution text, products it is on)
    sizes: dict[int, SizeFit] = field(default_factory=dict)  # the size that fits, by product
    moved_by: dict[int, str] = field(default_factory=dict)  # product -> placement that moved it

    @property
    def scores(self) -> np.ndarray:
        """Each product's total score: the sum of its parts."""
        return self.parts.sum(axis=1)

    def hold_back(self, indices: list[int], why: str) -> None:
        """Hold products back after ranking (a placement keeping them off the page), saying
        why, as a caution would: the result lists them and suggestions know they are not
        suitable."""
        self.blocked_by.update(dict.fromkeys(indices, why))
        self.eligible[indices] = False

    def blocked_mask(self, size: int) -> np.ndarray:
        """`blocked_by` as a mask over `size` products (True: kept off the results)."""
        mask = np.zeros(size, dtype=bool)
        mask[list(self.blocked_by)] = True
        return mask

    def top(
        self,
        k: int,
        max_per_category: int,
        category_codes: np.ndarray,
        kept_out_of_top: Mapping[str, np.ndarray] | None = None,
        tie_rank: np.ndarray | None = None,
    ) -> list[int]:
        """The best `k` eligible products, at most `max_per_category` of a category. Products
        in a mask of `kept_out_of_top` (placement id -> products, NG59 or NG226) are given the
        guidance part that puts them below the first places, and when they could only sit
        there they are held back instead. Ties: `rank_order`."""
        order = rank_order(self.scores, self.eligible, self.parts[:, 0], tie_rank)
        if not kept_out_of_top:
            return cap_per_group(order, category_codes, max_per_category, k)
        capped = cap_per_group(order, category_codes, max_per_category, len(order))
        held = np.logical_or.reduce(list(kept_out_of_top.values())) & self.eligible
        guidance, dropped = guidance_parts(self.scores, capped, held)
        for placement, mask in kept_out_of_top.items():
            if dropped:
                self.hold_back(
                    np.flatnonzero(mask & held).tolist(), PLACEMENTS_BY_ID[placement].held_back
                )
            else:
                moved = np.flatnonzero(mask & (guidance < 0)).tolist()
                self.moved_by.update(dict.fromkeys(moved, placement))
        self.parts[:, GUIDANCE] = guidance
        order = rank_order(self.scores, self.eligible, self.parts[:, 0], tie_rank)
        return cap_per_group(order, category_codes, max_per_category, k)
