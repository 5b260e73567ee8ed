"""A model only reorders what the rules and the safety screen allow: it can never add a product."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.model.learned import LearnedReranker
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from recommender.shopper.guidance import back_pain_only
from tests.strategies import raw_answers

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNSAFE_WITH = ("poor_circulation", "implanted_device")  # rule out compression and magnets


class LovesUnsafeProducts:
    """A hostile model that gives its top score to every compression or magnetic product."""

    name = "hostile"

    def score(self, pairs):
        candidates = pairs.candidates
        return (candidates["compression"] | candidates["magnetic"]).to_numpy(float)


@FAST
@given(raw=raw_answers(), blend=st.floats(0.01, 1.0), use_trained=st.booleans())
def test_no_model_brings_back_a_product_a_caution_holds_back(
    engine, corrected, raw, blend, use_trained
):
    conditions = sorted({*raw.get("conditions", []), *UNSAFE_WITH})
    answers = parse_answers({**raw, "conditions": conditions})
    weights = replace(engine.weights, blend_model=blend, max_per_category=MAX_K)
    model = LearnedReranker("trained", corrected) if use_trained else LovesUnsafeProducts()

    with_model = build_engine(engine.catalog, weights, model).recommend(answers, MAX_K)
    rules_only = build_engine(engine.catalog, weights).recommend(answers, MAX_K)

    products = engine.catalog.products
    unsafe = set(products.loc[products["compression"] | products["magnetic"], "sku"])
    shown = [item.sku for item in with_model.items]
    assert not set(shown) & unsafe
    assert set(shown) == {item.sku for item in rules_only.items}  # reordered, never added
    assert with_model.excluded == rules_only.excluded
    scores = [item.score for item in with_model.items]
    if not back_pain_only(answers):  # NG59 reorders the top 3 after the blend
        assert np.all(np.diff(scores) <= 1e-12)
