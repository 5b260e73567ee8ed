"""The simulated shop is as hard as a real one, and its truth is what the shoppers really do."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from recommender.feedback import columns as col
from recommender.shopper.answers import parse_answers
from recommender_cli.main import main
from training.dataset import GRADES, NEGATIVE_EVENTS, NEGATIVE_GRADE
from training.served import fresh_shoppers, list_ndcg
from training.simulate import ShopperWorld, _reactions, rule_scores_shown

YOUNG = parse_answers({"age_band": "16_49", "pain_areas": ["knee"], "activities": ["running"]})
OLDER = parse_answers({"age_band": "65_plus", "pain_areas": ["knee"]})
WITH_BUDGET = parse_answers(
    {"age_band": "16_49", "pain_areas": ["knee"], "activities": ["running"], "budget_max": 200}
)


@pytest.fixture(scope="module")
def world(engine) -> ShopperWorld:
    return ShopperWorld.draw(engine.catalog.products, np.random.default_rng(5))


def test_shoppers_of_different_ages_and_activity_like_different_products(world, engine):
    skus = list(engine.catalog.products["sku"])
    young = np.array([world.appeal(sku, 0.6, YOUNG) for sku in skus])
    older = np.array([world.appeal(sku, 0.6, OLDER) for sku in skus])

    assert np.abs(young - older).max() > 0.1
    # The two segments would not even agree on which products are best.
    assert set(np.argsort(-young)[:5]) != set(np.argsort(-older)[:5])


def test_dearer_products_appeal_less_and_more_so_to_a_shopper_with_a_budget(world):
    cheap = {**vars(world), "log_price": {**world.log_price, "KS-101": -1.0}}
    dear = {**vars(world), "log_price": {**world.log_price, "KS-101": 1.0}}
    cheap_world, dear_world = ShopperWorld(**cheap), ShopperWorld(**dear)

    def drop(answers):
        return cheap_world.appeal("KS-101", 0.6, answers) - dear_world.appeal(
            "KS-101", 0.6, answers
        )

    assert drop(YOUNG) > 0
    assert drop(WITH_BUDGET) > drop(YOUNG)


def test_shoppers_look_less_far_down_the_list(world):
    looks = [world.examined(p) for p in range(1, 6)]
    assert looks[0] == 1.0 and all(np.diff(looks) < 0)


def test_true_relevance_is_what_shoppers_who_look_at_a_product_earn_on_average(world):
    # Shown first (always looked at), 40,000 times: the mean NDCG gain matches the truth.
    rng = np.random.default_rng(0)
    item = SimpleNamespace(sku="KS-102", rank=1)
    when = datetime(2025, 1, 1, tzinfo=UTC)
    gains = []
    for _ in range(40_000):
        kinds = [row[4] for row in _reactions(world, YOUNG, item, 0.6, 1.0, "s", when, rng)]
        grade = (
            NEGATIVE_GRADE
            if set(NEGATIVE_EVENTS) & set(kinds)
            else max(GRADES.get(k, 0) for k in kinds)
        )
        gains.append(2.0 ** max(grade, 0) - 1)

    expected = world.expected_gain("KS-102", 0.6, YOUNG)
    assert np.mean(gains) == pytest.approx(expected, rel=0.03)


def test_simulate_logs_mostly_the_ranked_order_like_the_shop_default(settings, tmp_path):
    out = tmp_path / "sim"
    assert main(["simulate", "--sessions", "600", "--out", str(out), "--seed", "2"]) == 0
    sessions = pd.read_csv(out / "sessions.csv")

    explore = (sessions[col.POLICY] == col.EXPLORE).mean()
    assert 0.01 < explore < 0.1  # about 5%, the shop's RECOMMENDER_EXPLORE_SHARE default


def test_what_a_list_is_truly_worth_does_not_move_with_the_rules_weight(world, engine):
    # The same lists, judged in a shop whose merchandiser halved the rules weight: the
    # simulated shoppers react to how well the article's rules fit a product, not to how much
    # the blend weighs that fit.
    halved = replace(engine, weights=replace(engine.weights, blend_rules=0.5))
    shoppers = fresh_shoppers(60, seed=4)

    def lister(answers):
        return engine.recommend(answers).items

    assert list_ndcg(world, halved, shoppers, lister) == pytest.approx(
        list_ndcg(world, engine, shoppers, lister)
    )


def test_a_shown_product_is_judged_by_its_rule_fit_before_the_blend_weighs_it(world, engine):
    # Whatever list a product is shown in (a model's, or one with room for ten of a category),
    # the simulated shopper reacts to the product's rule score itself, as rules-only ranks it.
    roomy = replace(engine, weights=replace(engine.weights, max_per_category=10))
    halved = replace(roomy, weights=replace(roomy.weights, blend_rules=0.5))
    for answers in fresh_shoppers(30, seed=4):
        items = halved.recommend(answers).items
        as_ranked = [item.score_parts.rules for item in items]

        assert rule_scores_shown(halved, answers, items) == pytest.approx(
            [2 * score for score in as_ranked]
        )


@dataclass(frozen=True)
class KnowsHiddenQuality:
    """A ranker that has learnt what the rules cannot see: each product's hidden quality."""

    world: ShopperWorld
    name: str = "knows hidden quality"

    def score(self, pairs):
        skus = pairs.products["sku"].to_numpy()[pairs.product_index]
        quality = np.array([self.world.quality[sku] for sku in skus])
        return 1.0 / (1.0 + np.exp(-quality))


def test_no_served_list_is_worth_more_than_the_best_list_the_shop_could_show(world, engine):
    # A model that favours products the rules rank third or lower in their category still
    # serves at most `max_per_category` of each; the yardstick is the best such list, so no
    # shopper's true NDCG passes 1, and the model's list does reach past the rules' own picks.
    weights = replace(engine.weights, blend_model=1.0, blend_rules=1.0)
    insider = replace(engine, model=KnowsHiddenQuality(world), weights=weights)
    shoppers = fresh_shoppers(80, seed=6)

    insider_ndcg = list_ndcg(world, insider, shoppers, lambda a: insider.rank(a).items)
    rules_ndcg = list_ndcg(world, engine, shoppers, lambda a: engine.rank(a).items)

    assert insider_ndcg.max() <= 1.0 + 1e-9
    assert insider_ndcg.mean() > rules_ndcg.mean()
