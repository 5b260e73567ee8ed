"""The quick serving path (one shopper, a product table cached per catalog version) ranks exactly
like the general path a batch of pairs takes, for any answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.model.learned import LearnedReranker
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from recommender.shopper.ranker import Pairs
from tests.strategies import raw_answers

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class ThroughTheGeneralPath:
    """The same trained model, asked as an evaluation asks: with pairs not tied to a catalog
    version, so it caches nothing and builds its input the general way."""

    def __init__(self, model: LearnedReranker) -> None:
        self.name = model.name
        self._model = model

    def score(self, pairs: Pairs) -> np.ndarray:
        # A second (unused) shopper row: the pairs no longer look like the engine's question.
        two_shoppers = pairs.shopper_features * 2
        return self._model.score(
            replace(pairs, catalog_version=None, shopper_features=two_shoppers)
        )


@FAST
@given(raw=raw_answers(red_flags=False), blend=st.floats(0.05, 1.0))
def test_a_shopper_gets_the_same_list_whichever_way_the_model_is_asked(
    engine, small_model, raw, blend
):
    answers = parse_answers(raw)
    weights = replace(engine.weights, blend_model=blend)
    quick = LearnedReranker("m", small_model)

    fast = build_engine(engine.catalog, weights, quick).recommend(answers, MAX_K)
    general = build_engine(engine.catalog, weights, ThroughTheGeneralPath(quick)).recommend(
        answers, MAX_K
    )

    assert [i.sku for i in fast.items] == [i.sku for i in general.items]
    np.testing.assert_allclose(
        [i.score_parts.model for i in fast.items],
        [i.score_parts.model for i in general.items],
        rtol=1e-6,
    )
    if fast.items:
        assert any(i.score_parts.model > 0 for i in fast.items)  # the model took part


class CountingCalls:
    """The model, counting how often it is asked."""

    def __init__(self, model: LearnedReranker) -> None:
        self.name = model.name
        self._model = model
        self.calls = 0

    def score(self, pairs: Pairs) -> np.ndarray:
        self.calls += 1
        return self._model.score(pairs)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=st.lists(raw_answers(), min_size=1, max_size=12))
def test_a_batch_asks_the_model_once_and_every_shopper_gets_their_own_list(
    engine, small_model, raws
):
    shoppers = [parse_answers(raw) for raw in raws]
    weights = replace(engine.weights, blend_model=0.6)
    counting = CountingCalls(LearnedReranker("m", small_model))
    batch = build_engine(engine.catalog, weights, counting)

    together = batch.recommend_many(shoppers, 5)

    assert counting.calls <= 1  # one booster call for the whole batch (none if nothing fits)
    one_by_one = [batch.recommend(answers, 5) for answers in shoppers]
    assert [r.to_json_dict() for r in together] == [r.to_json_dict() for r in one_by_one]
