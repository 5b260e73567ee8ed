"""Property: raising a product's boost never lowers its rank, for any shopper and boosts."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from recommender.catalog.products import load_catalog
from recommender.catalog.weights import BOOST_RANGE, Weights
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from tests.strategies import raw_answers

CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "catalog")
boost_values = st.floats(*BOOST_RANGE, allow_nan=False)


def ranking(boosts: dict[str, float], blend_boost: float, answers) -> list[str]:
    weights = Weights(blend_boost=blend_boost, boosts=MappingProxyType(boosts), version="p")
    return [item.sku for item in build_engine(CATALOG, weights).recommend(answers, MAX_K).items]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=raw_answers(red_flags=False),
    boosts=st.dictionaries(st.sampled_from(CATALOG.skus), boost_values, max_size=10),
    blend_boost=st.floats(0.0, 1.0),
    data=st.data(),
)
def test_raising_a_boost_never_lowers_the_products_rank(raw, boosts, blend_boost, data):
    answers = parse_answers(raw)
    before = ranking(boosts, blend_boost, answers)
    assume(before)  # e.g. an under-16 shopper is shown nothing at all
    sku = data.draw(st.sampled_from(before), label="boosted product")
    raised = data.draw(st.floats(boosts.get(sku, 0.0), BOOST_RANGE[1]), label="new boost")
    after = ranking({**boosts, sku: raised}, blend_boost, answers)
    assert sku in after and after.index(sku) <= before.index(sku)
