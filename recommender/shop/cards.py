"""What a product card and the side-by-side comparison say, as plain data for the page.

No Streamlit here: the page lays these out. Every text comes from the catalog or the result;
the page still shows it through `recommender.escaping.plain` (or as table cells, which are
never read as Markdown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recommender.catalog.cart import cart_link
from recommender.catalog.labels import category_label
from recommender.catalog.money import Money
from recommender.catalog.pictures import picture_source, url_problem
from recommender.catalog.sizes import MEASURE_WORDS
from recommender.shop.questionnaire import LABELS
from recommender.shopper.answers import Answers
from recommender.shopper.engine import Engine
from recommender.shopper.result import Item

MAX_COMPARED = 3
_FIT_WORDS = {
    "running": "Running",
    "walking": "Walking",
    "sport": "Sport and training",
    "yoga": "Yoga",
    "cycling": "Cycling",
}


@dataclass(frozen=True, slots=True)
class Card:
    """What one product card shows: picture, price, size, facts and link."""

    picture: str | Path  # an address, a file the app serves, or the placeholder
    picture_alt: str
    kind: str  # "Hot and cold therapy"
    price: str  # "£15.00"
    shop_url: str | None  # the product's page in the shop (products.csv `url`)
    cart_url: str | None  # the shop's cart with this product (RECOMMENDER_CART_URL)
    size: str | None  # "Your size: M"
    size_note: str | None


def _product(engine: Engine, sku: str) -> dict:
    return engine.catalog.row(sku)


def card(
    engine: Engine,
    item: Item,
    answers: Answers,
    catalog_dir: Path,
    money: Money,
    cart_template: str | None = None,
) -> Card:
    """The card of `item` for a shopper with `answers` (`cart_template`: RECOMMENDER_CART_URL)."""
    product = _product(engine, item.sku)
    url = str(product.get("url") or "")
    size, note = size_words(engine, item, answers)
    return Card(
        picture=picture_source(catalog_dir, str(product.get("image") or "")),
        picture_alt=f"Picture of {item.name}",
        kind=category_label(item.category),
        price=money.format(item.price),
        shop_url=url if url and url_problem(url) is None else None,
        cart_url=cart_link(cart_template, item.sku) if cart_template else None,
        size=size,
        size_note=note,
    )


def size_words(engine: Engine, item: Item, answers: Answers) -> tuple[str | None, str | None]:
    """("Your size: M", note) when a size fits; a hint when the product comes in sizes but the
    shopper gave none of the measurements it needs; (None, None) for a one-size product."""
    if item.size is not None:
        return f"Your size: {item.size.size}", item.size.note
    sizes = engine.catalog.sizes.sizes_of(item.sku)
    if not sizes:
        return None, None
    measures = sorted(
        {r.measure for r in engine.catalog.sizes.ranges if r.sku == item.sku},
        key=list(MEASURE_WORDS).index,
    )
    by = " or ".join(MEASURE_WORDS[m] for m in measures)
    hint = f"Comes in sizes {', '.join(sizes)}: add your {by} measurement for the right one."
    return None, hint


def comparison(
    engine: Engine, items: Sequence[Item], answers: Answers, money: Money
) -> pd.DataFrame:
    """Two or three products side by side: one column each, one short row per thing to weigh
    up (a few words a cell; the card holds the full reasons and cautions)."""
    columns = {}
    for item in items[:MAX_COMPARED]:
        product = _product(engine, item.sku)
        _, note = size_words(engine, item, answers)
        level = str(product.get("support_level") or "none")
        areas = str(product.get("areas") or "").split()
        fits = str(product.get("fits") or "").split()
        first = item.reasons[0] if item.reasons else None
        columns[f"{item.rank}. {item.name}"] = {
            "Price": money.format(item.price),
            "Kind": category_label(item.category),
            "Support": "None (not a brace)" if level == "none" else level.capitalize(),
            "Size": _size_cell(item, note),
            "Made for": ", ".join(LABELS["pain_areas"].get(a, a) for a in areas) or "-",
            "Activities": ", ".join(_FIT_WORDS.get(f, f) for f in fits) or "Everyday",
            "Cautions": _caution_cell(item),
            "Stands out for": f"{first.text} ({first.section})" if first else "-",
        }
    return pd.DataFrame(columns)


def _caution_cell(item: Item) -> str:
    count = len(item.cautions)
    if not count:
        return "None for your answers"
    return f"{count} for you: read {'them' if count > 1 else 'it'} on the card"


def _size_cell(item: Item, note: str | None) -> str:
    if item.size is not None:
        return item.size.size
    return "Comes in sizes" if note else "One size"
