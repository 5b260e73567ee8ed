"""What a feed import would change in the live catalog, by SKU, and which changes need a person.

A routine feed can quietly undo what the safety screen relies on: a product detail saying
`heat:false` for a heat pack switches off the caution a diabetic shopper depends on. So before
an import replaces the live catalog, it is compared with it: products added and removed, price,
stock and safety-property changes. Some changes are refused unless the person running the
import says they meant them (`--accept-changes`):

- any safety property (heat, cold, compression, magnetic) turned from true to false;
- more than `max_removed_share` of the live products gone from the feed;
- more than `max_price_drop_share` of the products kept falling to less than half their price;
- every product out of stock.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from recommender.catalog.products import SAFETY_PROPERTIES

__all__ = ["DEFAULT_SHARE", "FeedChanges", "FeedLimits", "compare_catalogs"]

DEFAULT_SHARE = 0.10
# A report lists this many SKUs per kind of change, then says how many more.
MAX_LISTED = 40


@dataclass(frozen=True)
class FeedLimits:
    """The shares beyond which an import needs `--accept-changes` (settings
    RECOMMENDER_FEED_MAX_REMOVED_SHARE and RECOMMENDER_FEED_MAX_PRICE_DROP_SHARE)."""

    max_removed_share: float = DEFAULT_SHARE
    max_price_drop_share: float = DEFAULT_SHARE


@dataclass(frozen=True)
class _Product:
    price: float | None
    in_stock: bool
    safety: dict[str, bool]


@dataclass(frozen=True)
class FeedChanges:
    """The differences between the live products and the feed's, by SKU."""

    live: int
    incoming: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    prices: tuple[tuple[str, float | None, float | None], ...]  # sku, was, now
    stock: tuple[tuple[str, bool, bool], ...]
    safety: tuple[tuple[str, str, bool, bool], ...]  # sku, property, was, now
    all_out_of_stock: bool

    @property
    def any(self) -> bool:
        """Whether the feed changes anything at all."""
        return bool(self.added or self.removed or self.prices or self.stock or self.safety)

    def report(self) -> list[str]:
        """One line per kind of change, naming the SKUs (the first `MAX_LISTED` of each)."""
        lines = [f"{self.live} products live, {self.incoming} in the feed"]
        for label, skus in (("added", self.added), ("removed", self.removed)):
            if skus:
                lines.append(f"{label} ({len(skus)}): {_listed(skus)}")
        if self.prices:
            shown = [f"{sku} {_money(was)} -> {_money(now)}" for sku, was, now in self.prices]
            lines.append(f"price changes ({len(shown)}): {_listed(shown)}")
        if self.stock:
            shown = [f"{sku} {_stock(was)} -> {_stock(now)}" for sku, was, now in self.stock]
            lines.append(f"stock changes ({len(shown)}): {_listed(shown)}")
        if self.safety:
            shown = [
                f"{sku} {prop} {_on(was)} -> {_on(now)}" for sku, prop, was, now in self.safety
            ]
            lines.append(f"safety-property changes ({len(shown)}): {_listed(shown)}")
        return lines

    def refusals(self, limits: FeedLimits) -> list[str]:
        """The changes that need `--accept-changes`, each named; [] when none does."""
        found = [
            f"{sku}: {prop} turned from true to false (the safety screen's cautions rely on it)"
            for sku, prop, was, now in self.safety
            if was and not now
        ]
        if self.live and len(self.removed) / self.live > limits.max_removed_share:
            found.append(
                f"{len(self.removed)} of {self.live} products removed "
                f"({len(self.removed) / self.live:.0%}, more than "
                f"RECOMMENDER_FEED_MAX_REMOVED_SHARE {limits.max_removed_share:.0%}): "
                f"{_listed(self.removed)}"
            )
        crashed = self.price_crashes()
        kept = self.live - len(self.removed)
        if kept and len(crashed) / kept > limits.max_price_drop_share:
            found.append(
                f"{len(crashed)} of {kept} prices fall by more than half ({len(crashed) / kept:.0%}, "
                f"more than RECOMMENDER_FEED_MAX_PRICE_DROP_SHARE "
                f"{limits.max_price_drop_share:.0%}): {_listed(crashed)}"
            )
        if self.all_out_of_stock:
            found.append(f"every one of the feed's {self.incoming} products is out of stock")
        return found

    def price_crashes(self) -> list[str]:
        """The prices that fall by more than half, each as "SKU was -> now"."""
        return [
            f"{sku} {_money(was)} -> {_money(now)}"
            for sku, was, now in self.prices
            if was is not None and now is not None and now < was / 2
        ]


def compare_catalogs(live_products_text: str, incoming_products_text: str) -> FeedChanges:
    """The changes from the live products.csv text to the feed's (both as SPEC section 3)."""
    live, incoming = _products(live_products_text), _products(incoming_products_text)
    kept = [sku for sku in incoming if sku in live]
    prices = tuple(
        (sku, live[sku].price, incoming[sku].price)
        for sku in kept
        if live[sku].price != incoming[sku].price
    )
    stock = tuple(
        (sku, live[sku].in_stock, incoming[sku].in_stock)
        for sku in kept
        if live[sku].in_stock != incoming[sku].in_stock
    )
    safety = tuple(
        (sku, prop, live[sku].safety[prop], incoming[sku].safety[prop])
        for sku in kept
        for prop in SAFETY_PROPERTIES
        if live[sku].safety[prop] != incoming[sku].safety[prop]
    )
    return FeedChanges(
        live=len(live),
        incoming=len(incoming),
        added=tuple(sku for sku in incoming if sku not in live),
        removed=tuple(sku for sku in live if sku not in incoming),
        prices=prices,
        stock=stock,
        safety=safety,
        all_out_of_stock=bool(incoming) and not any(p.in_stock for p in incoming.values()),
    )


def _products(text: str) -> dict[str, _Product]:
    # Both texts have passed the catalog's own checks (the live one when it was saved, the
    # feed's when it was built), so a plain read is enough; an odd cell reads as unknown/false.
    found = {}
    for row in csv.DictReader(io.StringIO(text)):
        sku = (row.get("sku") or "").strip()
        if sku:
            found[sku] = _Product(
                price=_number(row.get("price")),
                in_stock=_truth(row.get("in_stock")),
                safety={prop: _truth(row.get(prop)) for prop in SAFETY_PROPERTIES},
            )
    return found


def _number(text: str | None) -> float | None:
    try:
        return round(float(text or ""), 2)
    except ValueError:
        return None


def _truth(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", "yes", "1")


def _listed(items: tuple[str, ...] | list[str]) -> str:
    more = len(items) - MAX_LISTED
    return ", ".join(items[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _money(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _stock(value: bool) -> str:
    return "in stock" if value else "out of stock"


def _on(value: bool) -> str:
    return "true" if value else "false"
