"""One set of contract tests, run over every ranker (the way implicit tests all its models):
each implementation only says how to build its ranker, in `make_ranker`.

What a shopper or analyst would notice if a ranker broke the contract: a product scored twice
or not at all, a list that changes between two identical requests, a product the safety screen
held back shown anyway, or a crash on a product newer than the model.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from recommender.model.learned import LearnedReranker
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, Engine, build_engine
from recommender.shopper.features import answer_features
from recommender.shopper.ranker import Pairs, Ranker, RulesOnlyRanker
from training.model import fit_ranker
from training.pipeline import Prepared
from training.rankers import LightGBMBaseline, PopularityRanker
from training.simulate import random_answers

# Conditions whose cautions hold back every compression and magnetic product.
HOLD_BACK_WITH = ("poor_circulation", "implanted_device")
SHOPPERS = 12


class LovesHeldBackProducts:
    """The test double: a hostile ranker that gives its top score to every compression or
    magnetic product, the ones the safety screen holds back for the shoppers above."""

    name = "double-loves-held-back"

    def score(self, pairs: Pairs) -> np.ndarray:
        candidates = pairs.candidates
        return (candidates["compression"] | candidates["magnetic"]).to_numpy(float)


def one_shopper_pairs(engine: Engine, raw: dict, products=None) -> Pairs:
    """The engine's question for one shopper, over every product of the catalog."""
    answers = parse_answers(raw, allow_derived=True)
    features = answer_features(answers)
    raw_totals = engine.rule_totals([features])[0]
    everything = np.arange(len(engine.catalog.products))
    pairs = Pairs.one_shopper(
        answers,
        features,
        engine.catalog,
        everything,
        raw_totals,
        engine.rule_scores(raw_totals),
    )
    return pairs if products is None else replace(pairs, products=products, catalog_version=None)


def shoppers(count: int = SHOPPERS) -> list[dict]:
    rng = np.random.default_rng(5)
    return [random_answers(rng).to_record() for _ in range(count)]


class RankerContract:
    """The contract every ranker keeps; a subclass supplies `make_ranker`."""

    def make_ranker(self, small_shop_frames: Prepared) -> Ranker:
        raise NotImplementedError

    @pytest.fixture
    def ranker(self, small_shop_frames: Prepared) -> Ranker:
        return self.make_ranker(small_shop_frames)

    def test_follows_the_contract(self, ranker):
        assert isinstance(ranker, Ranker)
        assert isinstance(ranker.name, str) and ranker.name

    def test_scores_every_catalog_product_once(self, ranker, engine):
        for raw in shoppers():
            scores = np.asarray(ranker.score(one_shopper_pairs(engine, raw)), float)
            assert scores.shape == (len(engine.catalog.products),)
            assert np.isfinite(scores).all()

    def test_scores_a_batch_of_sessions_one_per_shown_product(self, ranker, small_shop_frames):
        scores = np.asarray(ranker.score(small_shop_frames.test), float)
        assert scores.shape == (len(small_shop_frames.test),)
        assert np.isfinite(scores).all()

    def test_same_question_same_scores(self, ranker, small_shop_frames, engine):
        again = self.make_ranker(small_shop_frames)  # built afresh from the same data
        for raw in shoppers(4):
            pairs = one_shopper_pairs(engine, raw)
            first = np.asarray(ranker.score(pairs), float)
            np.testing.assert_array_equal(first, ranker.score(pairs))
            np.testing.assert_array_equal(first, again.score(pairs))

    def test_a_score_belongs_to_the_product_not_its_place(self, ranker, engine):
        # So ties are broken by the engine's own rule (price, then sku), the same every time.
        pairs = one_shopper_pairs(engine, shoppers(1)[0])
        order = np.random.default_rng(0).permutation(len(pairs))
        shuffled = replace(
            pairs,
            product_index=pairs.product_index[order],
            shopper_index=pairs.shopper_index[order],
            rule_raw=pairs.rule_raw[order],
            rule_score=pairs.rule_score[order],
        )
        np.testing.assert_allclose(ranker.score(shuffled), np.asarray(ranker.score(pairs))[order])

    def test_scores_a_product_newer_than_the_model(self, ranker, engine):
        products = engine.catalog.products.copy()
        products.loc[products.index[0], "sku"] = "NEW-PRODUCT-0001"
        pairs = one_shopper_pairs(engine, shoppers(1)[0], products)
        scores = np.asarray(ranker.score(pairs), float)
        assert scores.shape == (len(products),)
        assert np.isfinite(scores).all()

    def test_never_shows_a_product_the_safety_screen_holds_back(self, ranker, engine):
        weights = replace(engine.weights, blend_model=1.0, max_per_category=MAX_K)
        products = engine.catalog.products
        held = set(products.loc[products["compression"] | products["magnetic"], "sku"])
        for raw in shoppers():
            conditions = sorted({*raw.get("conditions", []), *HOLD_BACK_WITH})
            answers = parse_answers({**raw, "conditions": conditions}, allow_derived=True)
            served = build_engine(engine.catalog, weights, ranker).recommend(answers, MAX_K)
            rules_only = build_engine(engine.catalog, weights).recommend(answers, MAX_K)
            shown = {item.sku for item in served.items}
            assert not shown & held
            assert shown == {item.sku for item in rules_only.items}  # reordered, never added
            assert served.excluded == rules_only.excluded
            repeat = build_engine(engine.catalog, weights, ranker).recommend(answers, MAX_K)
            assert [i.sku for i in repeat.items] == [i.sku for i in served.items]


class TestRulesOnly(RankerContract):
    def make_ranker(self, small_shop_frames):
        return RulesOnlyRanker()


class TestPopularity(RankerContract):
    def make_ranker(self, small_shop_frames):
        return PopularityRanker().fit(small_shop_frames.train)


class TestLearned(RankerContract):
    def make_ranker(self, small_shop_frames):
        return LearnedReranker("m-contract", fit_ranker(small_shop_frames.train, n_estimators=20))


class TestStockLightGBM(RankerContract):
    def make_ranker(self, small_shop_frames):
        return LightGBMBaseline(seed=0).fit(small_shop_frames.train)


class TestDouble(RankerContract):
    def make_ranker(self, small_shop_frames):
        return LovesHeldBackProducts()
