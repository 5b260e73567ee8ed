"""What shoppers truly get from a served list in a simulated shop: its true NDCG@5.

`truth.true_metrics` judges rankers on the products a shopper was shown; this judges the list
the engine serves (category cap, NG59, boosts and safety applied, as a shopper sees it), against
the best 5 products the engine could show that shopper. Only the simulator knows the gains.

    shoppers = fresh_shoppers(1000, seed=9)
    ndcg = served_ndcg(world, engine, shoppers)          # one value per shopper
    judge = TruthJudge(world, engine, shoppers)          # many ways of serving the same shoppers
    judge.served(engine_a) / judge.served(engine_b)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from recommender.feedback.policy import present
from recommender.settings import DEFAULT_EXPLORE_TOP_N
from recommender.shopper.answers import Answers
from recommender.shopper.engine import DEFAULT_K, Engine
from recommender.shopper.features import answer_features
from recommender.shopper.result import Item
from recommender.shopper.scoring import cap_per_group, squash
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
    return list_ndcg(world, engine, shoppers, lambda answers: engine.rank(answers, k).items)


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
        served = engine.rank(answers, max(k, top_n))
        return present(served, explore_share=1.0, rng=rng, k=k, top_n=top_n).result.items

    return list_ndcg(world, engine, shoppers, shuffled)


def list_ndcg(
    world: ShopperWorld, engine: Engine, shoppers: Sequence[Answers], lister: Lister
) -> np.ndarray:
    """True NDCG@5 of `lister`'s list per shopper: each product's expected gain once examined,
    discounted by its place, over the best list of 5 the engine could serve that shopper (any
    allowed products, at most `max_per_category` of a category)."""
    return TruthJudge(world, engine, shoppers).ndcg(lister)


@dataclass(frozen=True)
class _Reference:
    """One shopper's yardstick: their answers, every product's rule score, the ideal DCG."""

    answers: Answers
    rule_score: np.ndarray
    ideal: float


@dataclass
class TruthJudge:
    """The simulator's truth for a set of fresh shoppers, worked out once and used to judge
    any number of ways of serving them (each served list costs one call to `ndcg`)."""

    world: ShopperWorld
    engine: Engine
    shoppers: Sequence[Answers]

    @cached_property
    def _codes(self) -> np.ndarray:
        """Each catalog row's category, as a whole number."""
        return pd.factorize(self.engine.catalog.products["category"])[0]

    @cached_property
    def _row_of(self) -> dict[str, int]:
        return {sku: row for row, sku in enumerate(self.engine.catalog.products["sku"])}

    @cached_property
    def _references(self) -> list[_Reference]:
        # The truth reads each product's rule score before the blend weighs it: the same
        # whatever rules weight the judged list was served with.
        catalog_size = len(self.engine.catalog.products)
        # Every product the engine may show the shopper, not only the rules' own pick of each
        # category: a model may bring up a category's third product, and the yardstick has to
        # be the best list any ranking could serve (at most `max_per_category` of a category),
        # or a good model's list scores above 1.
        uncapped = replace(self.engine.weights, blend_rules=1.0, max_per_category=catalog_size)
        rules = replace(self.engine, model=None, weights=uncapped)
        cap = self.engine.weights.max_per_category
        references = []
        for answers in self.shoppers:
            allowed = rules.rank(answers, catalog_size).items
            if not allowed:
                continue
            rule_score = squash(self.engine.rule_totals([answer_features(answers)])[0])
            gains = np.asarray(self._gains(answers, rule_score, allowed))
            rows = np.array([self._row_of[item.sku] for item in allowed])
            best = cap_per_group(
                np.argsort(-gains, kind="stable"), self._codes[rows], cap, DEFAULT_K
            )
            references.append(_Reference(answers, rule_score, _dcg(gains[best].tolist())))
        return references

    def ndcg(self, lister: Lister) -> np.ndarray:
        """True NDCG@5 of `lister`'s list, per shopper with any product to show."""
        values = []
        for ref in self._references:
            gains = self._gains(ref.answers, ref.rule_score, lister(ref.answers)[:DEFAULT_K])
            values.append(_dcg(gains) / ref.ideal if ref.ideal > 0 else 0.0)
        return np.asarray(values, float)

    def served(self, engine: Engine, k: int = DEFAULT_K) -> float:
        """Mean true NDCG@k of `engine`'s ranked lists."""
        return float(self.ndcg(lambda answers: engine.rank(answers, k).items).mean())

    def _gains(
        self, answers: Answers, rule_score: np.ndarray, items: Sequence[Item]
    ) -> list[float]:
        return [
            self.world.expected_gain(i.sku, float(rule_score[self._row_of[i.sku]]), answers)
            for i in items
        ]


def _dcg(gains: Sequence[float]) -> float:
    return float(sum(g / np.log2(rank + 1) for rank, g in enumerate(gains, start=1)))
