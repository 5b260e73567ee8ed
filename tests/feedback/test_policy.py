"""Exploration policy: only reorders the engine's items, with the true propensities."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from recommender.feedback.policy import explore, present, ranked
from recommender.shopper.result import Item, Result, ScoreParts, Triage


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


def test_explore_shows_the_same_products_reranked_with_one_over_n() -> None:
    result = make_result(5)
    shown = explore(result, np.random.default_rng(3))
    assert shown.policy == "explore"
    assert sorted(i.sku for i in shown.result.items) == sorted(i.sku for i in result.items)
    assert [i.rank for i in shown.result.items] == [1, 2, 3, 4, 5]
    assert shown.propensities == (0.2,) * 5


def test_explore_draws_the_shown_few_from_every_eligible_product() -> None:
    rng = np.random.default_rng(5)
    result = make_result(10)
    draws = [explore(result, rng, k=3) for _ in range(3_000)]
    assert all(len(d.result.items) == 3 and d.propensities == (0.1,) * 3 for d in draws)
    assert all([i.rank for i in d.result.items] == [1, 2, 3] for d in draws)
    seen = Counter(item.sku for d in draws for item in d.result.items)
    # Every one of the 10 eligible products is shown, each in about 3/10 of the sessions.
    assert set(seen) == {i.sku for i in result.items}
    assert all(abs(count - 900) < 120 for count in seen.values()), seen


def test_ranked_shows_only_the_top_k() -> None:
    shown = ranked(make_result(10), k=3)
    assert [i.sku for i in shown.result.items] == ["SKU-1", "SKU-2", "SKU-3"]
    assert shown.propensities == (1.0, 1.0, 1.0)


def test_explore_is_uniform_over_positions() -> None:
    rng = np.random.default_rng(7)
    result = make_result(4)
    first = Counter(explore(result, rng).result.items[0].sku for _ in range(8_000))
    # Each product should lead in about 1/4 of 8,000 draws; 3 standard deviations is ~116.
    assert set(first) == {i.sku for i in result.items}
    assert all(abs(count - 2_000) < 150 for count in first.values()), first


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
