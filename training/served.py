"""What shoppers truly get from a served list in a simulated shop: its true NDCG@5.

`truth.true_metrics` judges rankers on the products a shopper was shown; this judges the list
the engine serves (category cap, NG59, boosts and safety applied, as a shopper sees it), against
the best 5 products the engine could show that shopper. Only the simulator knows the gains.

    shoppers = fresh_shoppers(1000, seed=9)
    ndcg = served_ndcg(world, engine, shoppers)          # one value per shopper
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from recommender.feedback.policy import present
from recommender.settings import DEFAULT_EXPLORE_TOP_N
from recommender.shopper.answers import Answers
from recommender.shopper.engine import DEFAULT_K, MAX_K, Engine
from recommender.shopper.result import Item
from training.simulate import ShopperWorld, random_answers

# A list for one shopper: the items shown, in order.
Lister = Callable[[Answers], Sequence[Item]]


def fresh_shoppers(count: int, seed: int) -> list[Answers]:
    """Shoppers the logs never saw, as varied as the simulator's (none stopped by safety)."""
    rng = np.random.default_rng(seed)
    return [random_answers(rng) for _ in range(count)]


def served_ndcg(
    world: ShopperWorld, engine: Engine, shoppers: Sequence[Answers], k: int = DEFAULT_K
) -> np.ndarray:
    """True NDCG@k of `engine`'s ranked list, per shopper with any product to show."""
    return list_ndcg(world, engine, shoppers, lambda answers: engine.recommend(answers, k).items)


def explored_ndcg(
    world: ShopperWorld,
    engine: Engine,
    shoppers: Sequence[Answers],
    *,
    top_n: int = DEFAULT_EXPLORE_TOP_N,
    seed: int = 0,
    k: int = DEFAULT_K,
) -> np.ndarray:
    """True NDCG@k of an explore session's list (the served top `top_n`, shuffled)."""
    rng = np.random.default_rng(seed)

    def shuffled(answers: Answers) -> Sequence[Item]:
        served = engine.recommend(answers, max(k, top_n))
        return present(served, explore_share=1.0, rng=rng, k=k, top_n=top_n).result.items

    return list_ndcg(world, engine, shoppers, shuffled)


def list_ndcg(
    world: ShopperWorld, engine: Engine, shoppers: Sequence[Answers], lister: Lister
) -> np.ndarray:
    """True NDCG@5 of `lister`'s list per shopper: each product's expected gain once examined,
    discounted by its place, over the best 5 gains among every product the rules allow."""
    rules = replace(engine, model=None)
    values = []
    for answers in shoppers:
        allowed = rules.recommend(answers, MAX_K).items
        if not allowed:
            continue
        rule_part = {item.sku: item.score_parts.rules for item in allowed}
        ideal_gains = sorted(
            (world.expected_gain(i.sku, rule_part[i.sku], answers) for i in allowed), reverse=True
        )
        ideal = _dcg(ideal_gains[:DEFAULT_K])
        shown = lister(answers)[:DEFAULT_K]
        gains = [world.expected_gain(i.sku, rule_part.get(i.sku, 0.0), answers) for i in shown]
        values.append(_dcg(gains) / ideal if ideal > 0 else 0.0)
    return np.asarray(values, float)


def _dcg(gains: Sequence[float]) -> float:
    return float(sum(g / np.log2(rank + 1) for rank, g in enumerate(gains, start=1)))
