"""Prices in the shop's currency, written the way the shopper's locale writes them (Babel).

The catalog's prices and a shopper's budget are plain numbers in one currency (SPEC sections 1
and 3). Which currency, and how to write it, are settings: `RECOMMENDER_CURRENCY` (an ISO 4217
code, default GBP) and `RECOMMENDER_LOCALE` (default en_GB). Both are checked when settings are
read, so a typo is named at start-up instead of showing "XYZ10.00" to shoppers.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, list_currencies

from recommender.errors import InputError

DEFAULT_CURRENCY = "GBP"
DEFAULT_LOCALE = "en_GB"
_MAX_SETTING_CHARS = 20  # a locale name such as "zh_Hant_TW" is far shorter


@dataclass(frozen=True, slots=True)
class Money:
    """How prices are written: a currency code and a locale, both already checked."""

    currency: str = DEFAULT_CURRENCY
    locale: str = DEFAULT_LOCALE

    def format(self, amount: float) -> str:
        """`12.5` -> '£12.50' (en_GB, GBP); '12,50 €' (de_DE, EUR)."""
        return _formatted(float(amount), self.currency, self.locale)


# A catalog has a few dozen prices, and Babel takes tens of microseconds to write one: a card's
# reasons would otherwise spend more time writing prices than scoring.
FLOAT_DIGITS = 400  # the largest float has 309 digits before the point


@lru_cache(maxsize=4096)
def _formatted(amount: float, currency: str, locale: str) -> str:
    # Enough digits for any finite float (a budget may be 1e26): Babel rounds to the pence in
    # the current decimal context, whose default 28 digits fail above about 1e25.
    with decimal.localcontext() as context:
        context.prec = FLOAT_DIGITS
        return format_currency(amount, currency, locale=locale)


PLAIN = Money()


def money_setting(currency: str | None, locale: str | None) -> Money:
    """A `Money` from the two settings (empty means the default); `InputError` names a bad one."""
    code = (currency or DEFAULT_CURRENCY).strip().upper()
    if len(code) != 3 or code not in list_currencies():
        raise InputError(
            f"setting RECOMMENDER_CURRENCY: '{code[:_MAX_SETTING_CHARS]}' is not an ISO 4217 "
            "currency code (e.g. GBP, EUR, USD)"
        )
    name = (locale or DEFAULT_LOCALE).strip()
    try:
        if len(name) > _MAX_SETTING_CHARS:
            raise ValueError
        parsed = str(Locale.parse(name))
    except (ValueError, TypeError, UnknownLocaleError):
        raise InputError(
            f"setting RECOMMENDER_LOCALE: '{name[:_MAX_SETTING_CHARS]}' is not a known locale "
            "(e.g. en_GB, en_US, de_DE)"
        ) from None
    return Money(code, parsed)
