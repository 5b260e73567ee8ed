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
    return 1.0 - np.exp(-raw / RULE_SCALE)


def rank_order(scores: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Indices of the eligible products, best score first; ties keep catalog order."""
    candidates = np.flatnonzero(eligible)
    return candidates[np.lexsort((candidates, -scores[candidates]))]


def cap_per_group(order: np.ndarray, groups: np.ndarray, cap: int) -> np.ndarray:
    """`order` without the products past the first `cap` of their group (category)."""
    ranked_groups = groups[order]
    by_group = np.argsort(ranked_groups, kind="stable")
    sorted_groups = ranked_groups[by_group]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    lengths = np.diff(np.r_[starts, len(sorted_groups)])
    place_in_group = np.empty(len(order), dtype=int)
    place_in_group[by_group] = np.arange(len(order)) - np.repeat(starts, lengths)
    return order[place_in_group < cap]
