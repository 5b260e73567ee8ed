"""The engine's batch view for training agrees with what a single shopper is shown."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from recommender.shopper.answers import parse_answers
from recommender.shopper.features import answer_features
from recommender.shopper.scoring import squash
from tests.strategies import raw_answers


@settings(max_examples=60, deadline=None)
@given(
    raws=raw_answers(red_flags=False).map(lambda raw: [raw]) | raw_answers().map(lambda r: [r, {}])
)
def test_batch_rule_totals_match_the_rules_part_each_shopper_sees(engine, raws):
    answers = [parse_answers(raw) for raw in raws]
    totals = engine.rule_totals([answer_features(a) for a in answers])
    skus = list(engine.catalog.skus)
    for row, one in zip(totals, answers, strict=True):
        for item in engine.recommend(one, 50).items:
            expected = engine.weights.blend_rules * squash(row[skus.index(item.sku)])
            assert np.isclose(item.score_parts.rules, expected)


def test_no_shoppers_give_an_empty_table(engine):
    assert engine.rule_totals([]).shape == (0, len(engine.catalog.skus))
