"""Equal scores are ordered by a documented rule, never by the catalog file's row order."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from recommender.shopper.scoring import price_then_sku_rank, rank_order


def test_two_equal_products_come_closer_match_then_cheaper_then_by_sku() -> None:
    scores = np.array([0.5, 0.5, 0.5, 0.5])
    rules = np.array([0.3, 0.4, 0.3, 0.3])  # product 1 matches the answers more closely
    prices = np.array([40.0, 50.0, 20.0, 40.0])
    tie_rank = price_then_sku_rank(prices, ["KN-9", "KN-5", "KN-7", "KN-1"])
    order = rank_order(scores, np.ones(4, dtype=bool), rules, tie_rank)
    assert order.tolist() == [1, 2, 3, 0]  # closer match; then 20.00; then KN-1 before KN-9


@given(st.permutations(list(range(6))))
def test_shuffling_the_catalog_rows_never_changes_the_order_of_a_tie(rows: list[int]) -> None:
    skus = [f"SKU-{i}" for i in range(6)]
    prices = np.array([30.0, 30.0, 10.0, 30.0, 10.0, 20.0])
    scores = np.full(6, 0.7)
    in_file_order = [
        skus[i]
        for i in rank_order(scores, np.ones(6, bool), scores * 0, price_then_sku_rank(prices, skus))
    ]
    shuffled_skus = [skus[i] for i in rows]
    shuffled = rank_order(
        scores, np.ones(6, bool), scores * 0, price_then_sku_rank(prices[rows], shuffled_skus)
    )
    assert [shuffled_skus[i] for i in shuffled] == in_file_order
