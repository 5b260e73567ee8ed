"""Prices in the shop's currency: a documented setting, checked at start-up."""

from __future__ import annotations

import pytest

from recommender.catalog.money import Money, money_setting
from recommender.errors import InputError
from recommender.settings import Settings


def test_by_default_prices_are_pounds_written_the_british_way():
    assert Settings.from_env({}).money.format(24) == "£24.00"


def test_a_shop_in_euros_with_a_german_locale_writes_prices_as_germans_do():
    money = Settings.from_env({"RECOMMENDER_CURRENCY": "eur", "RECOMMENDER_LOCALE": "de_DE"}).money
    assert money == Money("EUR", "de_DE")
    assert money.format(1234.5) == "1.234,50\xa0€"


@pytest.mark.parametrize(
    ("currency", "locale", "named"),
    [
        ("POUNDS", None, "RECOMMENDER_CURRENCY"),
        ("XYZ", None, "RECOMMENDER_CURRENCY"),
        (None, "en_XX_nowhere", "RECOMMENDER_LOCALE"),
        (None, "x" * 5000, "RECOMMENDER_LOCALE"),
    ],
)
def test_an_unknown_currency_or_locale_is_refused_naming_the_setting(currency, locale, named):
    with pytest.raises(InputError, match=named) as refused:
        money_setting(currency, locale)
    assert len(str(refused.value)) < 200


def test_an_absurdly_large_budget_is_written_out_in_full():
    # Babel rounds to the pence in a 28-digit decimal context by default, which fails above
    # about 1e25: a shopper's budget of 1e26 once turned the API's answer into a server error.
    assert Settings.from_env({}).money.format(1e26) == "£100,000,000,000,000,000,000,000,000.00"
