"""When the filters leave nothing to show: the smallest change to the answers that would."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from recommender.catalog.money import PLAIN, Money
from recommender.catalog.products import Catalog
from recommender.shopper.answers import Answers
from recommender.shopper.result import Suggestion

if TYPE_CHECKING:
    from recommender.shopper.scoring import Scored

TELL_US_MORE = Suggestion(
    "Tell us where it hurts, or about your daily habits and activities, so we can match products "
    "to your answers."
)
ALL_OUT_OF_STOCK = Suggestion(
    "The products that fit your answers are out of stock right now; please check back soon."
)
NOT_SUITABLE = Suggestion(
    "The products that fit your answers are not suitable with the health details you gave us; "
    "a clinician or pharmacist can suggest safe alternatives."
)


def suggest(
    scored: Scored, answers: Answers, catalog: Catalog, money: Money = PLAIN
) -> tuple[Suggestion, ...]:
    """One suggestion, the smallest change first: a higher budget, then stock, then safety."""
    if not scored.relevant.any():
        return (TELL_US_MORE,)
    safe = scored.relevant & ~scored.blocked_mask(len(scored.relevant))
    if not safe.any():
        return (NOT_SUITABLE,)
    in_stock = safe & catalog.products["in_stock"].to_numpy(bool)
    if not in_stock.any():
        return (ALL_OUT_OF_STOCK,)
    prices = catalog.products["price"].to_numpy(float)
    cheapest = int(np.flatnonzero(in_stock)[np.argmin(prices[in_stock])])
    price, name = prices[cheapest], catalog.products["name"].iloc[cheapest]
    return (
        Suggestion(
            f"Raise your budget to {money.format(price)} to see {name}, the lowest-priced product that fits "
            "your answers.",
            change={"budget_max": float(price)},
        ),
    )
