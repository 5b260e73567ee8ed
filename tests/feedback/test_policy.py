"""Exploration policy: only reorders the engine's items, with the true propensities."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from recommender.feedback.policy import explore, position_chances, present, ranked
from recommender.shopper.result import Item, Reason, Result, ScoreParts, Triage


def make_result(count: int) -> Result:
    items = tuple(
        Item(
            rank=n,
            sku=f"SKU-{n}",
            name=f"Product {n}",
            category="knee_sleeve",
            price=20.0 + n,
            score=1.0 - n / 100,
            reasons=(),
            cautions=(),
            score_parts=ScoreParts(1.0 - n / 100, 0.0, 0.0),
        )
        for n in range(1, count + 1)
    )
    return Result(Triage("none", (), ""), items, (), (), ())


def test_ranked_keeps_the_engine_order_with_propensity_one() -> None:
    result = make_result(5)
    shown = ranked(result)
    assert shown.result == result and shown.policy == "ranked"
    assert [(i.sku, i.position, i.propensity) for i in shown.impressions()] == [
        (f"SKU-{n}", n, 1.0) for n in range(1, 6)
    ]


def test_explore_shows_the_same_products_reranked_with_their_exact_chances() -> None:
    result = make_result(5)
    shown = explore(result, np.random.default_rng(3))
    assert shown.policy == "explore"
    assert sorted(i.sku for i in shown.result.items) == sorted(i.sku for i in result.items)
    assert [i.rank for i in shown.result.items] == [1, 2, 3, 4, 5]
    table = position_chances(5)
    served_rank = [int(i.sku.removeprefix("SKU-")) - 1 for i in shown.result.items]
    assert shown.propensities == tuple(table[r, p] for p, r in enumerate(served_rank))
    assert all(0 < chance <= 1 for chance in shown.propensities)


def test_each_position_holds_one_product_and_each_product_one_position() -> None:
    table = position_chances(10)
    assert np.allclose(table.sum(axis=0), 1.0) and np.allclose(table.sum(axis=1), 1.0)
    # The best match leads most often, the tenth least often, but every one can lead.
    assert table[0, 0] > table[1, 0] > table[9, 0] > 0


def test_explore_draws_the_shown_few_only_from_the_served_top_n_as_often_as_logged() -> None:
    rng = np.random.default_rng(5)
    result = make_result(20)
    draws = [explore(result, rng, k=3, top_n=10) for _ in range(4_000)]
    assert all(len(d.result.items) == 3 for d in draws)
    assert all([i.rank for i in d.result.items] == [1, 2, 3] for d in draws)
    seen = Counter(item.sku for d in draws for item in d.result.items)
    # Only the served ranking's best 10 are ever shown.
    assert set(seen) == {f"SKU-{n}" for n in range(1, 11)}
    # How often each product leads agrees with the logged chance (4 standard deviations).
    first = Counter(d.result.items[0].sku for d in draws)
    table = position_chances(10)
    for rank in range(10):
        expected = 4_000 * table[rank, 0]
        assert abs(first[f"SKU-{rank + 1}"] - expected) < 4 * np.sqrt(expected), first
    logged = {(d.result.items[0].sku, d.propensities[0]) for d in draws}
    assert logged == {(f"SKU-{r + 1}", table[r, 0]) for r in range(10)}


def test_explore_past_the_top_n_keeps_the_ranked_order_with_propensity_one() -> None:
    shown = explore(make_result(8), np.random.default_rng(2), k=7, top_n=5)
    skus = [i.sku for i in shown.result.items]
    assert sorted(skus[:5]) == [f"SKU-{n}" for n in range(1, 6)]
    assert skus[5:] == ["SKU-6", "SKU-7"]
    assert shown.propensities[5:] == (1.0, 1.0) and all(0 < p < 1 for p in shown.propensities[:5])


def test_a_shuffled_card_is_never_called_the_closest_match() -> None:
    text = "Because you told us about knee pain, this is the closest match: firm support; price 20."
    first = Reason("what_sets_it_apart", text, "Knee braces")
    result = make_result(6)
    result = result.with_items(tuple(replace(i, reasons=(first,)) for i in result.items))
    for item in explore(result, np.random.default_rng(4)).result.items:
        (reason,) = item.reasons
        assert "closest" not in reason.text and "shuffled" in reason.text
        assert reason.text.startswith("Because you told us about knee pain, ")
        assert reason.section == "Knee braces"


def test_ranked_shows_only_the_top_k() -> None:
    shown = ranked(make_result(10), k=3)
    assert [i.sku for i in shown.result.items] == ["SKU-1", "SKU-2", "SKU-3"]
    assert shown.propensities == (1.0, 1.0, 1.0)


def test_share_decides_how_often_sessions_explore() -> None:
    rng = np.random.default_rng(11)
    result = make_result(3)
    policies = Counter(present(result, explore_share=0.05, rng=rng).policy for _ in range(10_000))
    assert 400 < policies["explore"] < 600
    assert present(result, explore_share=0.0, rng=rng).policy == "ranked"
    assert present(result, explore_share=1.0, rng=rng).policy == "explore"


def test_same_seed_gives_the_same_order() -> None:
    result = make_result(6)
    one = explore(result, np.random.default_rng(5)).result.items
    two = explore(result, np.random.default_rng(5)).result.items
    assert [i.sku for i in one] == [i.sku for i in two]


def test_no_products_means_nothing_to_explore() -> None:
    shown = explore(make_result(0), np.random.default_rng(1))
    assert shown.result.items == () and shown.impressions() == ()


def test_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="explore_share"):
        present(make_result(2), explore_share=1.5, rng=np.random.default_rng(1))
