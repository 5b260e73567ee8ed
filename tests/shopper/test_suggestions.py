"""When nothing can be shown, the page offers the smallest change that would show something,
and never one that steps around the safety screen."""

from __future__ import annotations

from dataclasses import replace

from recommender.catalog.products import Catalog
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import Engine
from recommender.shopper.suggestions import ALL_OUT_OF_STOCK, NOT_SUITABLE, TELL_US_MORE

KNEE_AND_BACK = {"pain_areas": ["knee", "lower_back"], "red_flags": []}


def _with_products(engine: Engine, **columns) -> Engine:
    products = engine.catalog.products.assign(**columns)
    return replace(
        engine, catalog=Catalog(products, engine.catalog.tags, "test", engine.catalog.sizes)
    )


def test_a_shopper_who_told_us_nothing_is_asked_where_it_hurts(engine: Engine) -> None:
    result = engine.recommend(parse_answers({"red_flags": []}))
    assert result.items == ()
    assert result.suggestions == (TELL_US_MORE,)


def test_a_budget_below_every_match_suggests_the_price_of_the_cheapest_match(engine) -> None:
    poor = engine.recommend(parse_answers({**KNEE_AND_BACK, "budget_max": 1.0}))
    (suggestion,) = poor.suggestions
    new_budget = suggestion.change["budget_max"]
    richer = engine.recommend(parse_answers({**KNEE_AND_BACK, "budget_max": new_budget}))
    assert richer.items, "the suggested budget shows at least one product"
    assert min(item.price for item in richer.items) == new_budget
    cheapest = min(richer.items, key=lambda item: item.price)
    assert cheapest.name in suggestion.text


def test_when_every_match_is_out_of_stock_the_shopper_is_told_to_check_back(engine) -> None:
    sold_out = _with_products(engine, in_stock=False)
    result = sold_out.recommend(parse_answers(KNEE_AND_BACK))
    assert result.items == ()
    assert result.suggestions == (ALL_OUT_OF_STOCK,)


def test_no_suggestion_steps_around_a_caution(engine: Engine) -> None:
    # Every product magnetic, and the shopper has an implanted device: nothing is safe to show,
    # and the page must not suggest a budget or stock change that would show one.
    all_magnetic = _with_products(engine, magnetic=True)
    answers = parse_answers({**KNEE_AND_BACK, "conditions": ["implanted_device"]})
    result = all_magnetic.recommend(answers)
    assert result.items == ()
    assert result.suggestions == (NOT_SUITABLE,)
    assert all(not suggestion.change for suggestion in result.suggestions)
