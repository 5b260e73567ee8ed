"""Feed items + mapping -> the text of products.csv and sizes.csv, or every problem at once.

A product is an item group (Merchant Center `item_group_id`, Shopify `Handle`); its variants
give its sizes. Nothing about safety is inferred: each of heat, cold, compression and magnetic
comes from the feed's product details, the product type's mapping or a SKU override, and a
product with any of them unknown is refused. A SKU override wins; the feed and the type's
mapping must agree where both speak.
"""

from __future__ import annotations

import csv
import html.parser
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from recommender.catalog.products import SAFETY_PROPERTIES
from recommender.errors import Problems
from recommender.feed.items import (
    MAX_PROBLEMS_LISTED,
    FeedItem,
    FeedRead,
    formula_problem,
    shown,
    where,
)
from recommender.feed.mapping import FeedMapping, ProductFields

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "category",
    "price",
    "in_stock",
    *SAFETY_PROPERTIES,
    "support_level",
    "areas",
    "fits",
    "features",
    "description",
    "image",
    "url",
)
SIZE_COLUMNS = ("sku", "size", "measure", "min", "max")
AVAILABILITY = {"in_stock": True, "out_of_stock": False, "preorder": False, "backorder": False}
_TRUTH = {"true": True, "yes": True, "false": False, "no": False}
_PRICE = re.compile(r"^(\d{1,9}(?:\.\d{1,4})?)(?:\s+([A-Za-z]{3}))?$")


@dataclass(frozen=True)
class BuiltCatalog:
    """A catalog built from a feed: the new files' text and what changed against the old ones."""

    products_text: str
    sizes_text: str
    products: int
    items: int
    size_rows: int
    format: str
    notes: tuple[str, ...] = ()  # not problems: things the merchandiser may want to know


def build_catalog(read: FeedRead, mapping: FeedMapping, name: str) -> BuiltCatalog:
    """Map every item, or raise `CatalogError` listing every problem by line and field."""
    problems: list[tuple[int, str]] = [(0, p) for p in read.problems]
    groups: dict[str, list[FeedItem]] = {}
    seen_ids: dict[str, int] = {}
    for item in read.items:
        problems += _item_problems(item, mapping, name, seen_ids, read.format)
        groups.setdefault(item.group, []).append(item)
    if not read.items and not read.problems:
        problems.append((0, f"{name}: no items"))
    products, sizes = [], []
    for sku, variants in groups.items():
        row, size_rows, found = _product(sku, variants, mapping, name)
        problems += found
        products.append(row)
        sizes += size_rows
    _by_line(problems).raise_if_any()
    notes = (
        [f"{name}: left out {read.left_out} draft or archived products"] if read.left_out else []
    )
    unused = sorted(set(mapping.skus) - set(groups))
    if unused:
        notes.append(f"mapping: [skus] entries match no product in this feed: {', '.join(unused)}")
    return BuiltCatalog(
        products_text=_csv(PRODUCT_COLUMNS, products),
        sizes_text=_csv(SIZE_COLUMNS, sizes),
        products=len(products),
        items=len(read.items),
        size_rows=len(sizes),
        format=read.format,
        notes=tuple(notes),
    )


def _by_line(problems: list[tuple[int, str]]) -> Problems:
    """The problems in the feed's line order (whole-file ones first), the first few in full."""
    listed = Problems(limit=MAX_PROBLEMS_LISTED)
    listed.extend(message for _, message in sorted(problems, key=lambda p: p[0]))
    return listed


def _item_problems(
    item: FeedItem, mapping: FeedMapping, name: str, seen_ids: dict[str, int], feed_format: str
) -> list[tuple[int, str]]:
    found: list[str] = []
    at = item.line
    if not item.id:
        found.append(f"{where(name, at, 'id')}: is empty")
    elif item.id in seen_ids:
        found.append(f"{where(name, at, 'id')}: {shown(item.id)} repeats line {seen_ids[item.id]}")
    else:
        seen_ids[item.id] = at
    price_field = item.columns.get("price", "price")
    _, problem = parse_price(
        item.price, mapping.currency, bare_is_shop=feed_format == "shopify-csv"
    )
    if problem:
        found.append(f"{where(name, at, price_field)}: {problem}")
    if item.availability not in AVAILABILITY and feed_format == "shopify-csv":
        count = shown(item.availability.removeprefix("stock "))
        stock_field = item.columns.get("availability", "availability")
        found.append(f"{where(name, at, stock_field)}: {count} is not a count")
    elif item.availability not in AVAILABILITY:
        allowed = ", ".join(AVAILABILITY)
        found.append(
            f"{where(name, at, 'availability')}: {shown(item.availability)} is not {allowed}"
        )
    for field_name, value in (("link", item.link), ("image_link", item.image_link)):
        if value and not value.startswith(("https://", "http://")):
            found.append(f"{where(name, at, field_name)}: {shown(value)} is not an http(s) address")
    if feed_format != "shopify-csv" and not item.link:
        found.append(f"{where(name, at, 'link')}: is empty")
    for prop, (value, field_name) in item.details.items():
        if value.strip().lower() not in _TRUTH:
            found.append(
                f"{where(name, at, field_name)}: {prop} {shown(value)} must be true or false"
            )
    return [(at, message) for message in found]


def parse_price(text: str, currency: str, *, bare_is_shop: bool) -> tuple[float, str]:
    """(amount, problem): "39.00 GBP" in the shop's currency, or why it is refused."""
    match = _PRICE.match(text.strip())
    if not match or float(match.group(1)) <= 0:
        return 0.0, f"{shown(text)} is not a price above 0 such as '39.00 {currency}'"
    written = (match.group(2) or "").upper()
    if not written and not bare_is_shop:
        return 0.0, f"{shown(text)} has no currency; write it as '{match.group(1)} {currency}'"
    if written and written != currency:
        return 0.0, f"{shown(text)} is in {written}, not the shop's currency {currency}"
    return float(match.group(1)), ""


def _product(
    sku: str, variants: list[FeedItem], mapping: FeedMapping, name: str
) -> tuple[dict[str, str], list[dict[str, str]], list[tuple[int, str]]]:
    first = variants[0]
    at = first.line
    problems: list[str] = []
    by_type = mapping.type_for(first.product_type)
    override = mapping.skus.get(sku, ProductFields())
    category = override.category or (by_type.category if by_type else None)
    if category is None:
        problems.append(
            f"{where(name, at, 'product_type')}: {shown(first.product_type)} is not mapped; add "
            f'[types."{first.product_type}"] with a category to the mapping'
        )
    for variant in variants[1:]:
        if variant.product_type != first.product_type:
            problems.append(
                f"{where(name, variant.line, 'product_type')}: {shown(variant.product_type)} "
                f"differs from line {at} ({shown(first.product_type)}); the variants of one "
                "product share one type"
            )
    safety = _safety(sku, variants, by_type, override, name, problems)
    chart_name = override.size_chart or (by_type.size_chart if by_type else None)
    size_rows = _sizes(sku, variants, mapping, chart_name, name, problems)
    tags = {**(by_type.tags if by_type else {}), **override.tags}
    prices = [parse_price(v.price, mapping.currency, bare_is_shop=True)[0] for v in variants]
    row = {
        "sku": sku,
        "name": override.name or _name(first),
        "category": category or "",
        # The dearest size, so a shopper's budget holds whichever size fits them.
        "price": f"{max(prices):.2f}",
        "in_stock": _bool(any(AVAILABILITY.get(v.availability, False) for v in variants)),
        **{prop: _bool(safety.get(prop, False)) for prop in SAFETY_PROPERTIES},
        "support_level": override.support_level
        or (by_type.support_level if by_type else None)
        or "",
        **{key: " ".join(tags.get(key, ())) for key in ("areas", "fits", "features")},
        "description": _plain(first.description),
        "image": next((v.image_link for v in variants if v.image_link), ""),
        "url": first.link or (f"{mapping.shop_url}/products/{sku}" if mapping.shop_url else ""),
    }
    # An HTML description is checked again as the plain text products.csv will hold.
    formula = formula_problem(row["description"])
    if formula:
        problems.append(f"{where(name, at, 'description')}: as plain text, {formula}")
    return row, size_rows, [(at, p) for p in problems]


def _safety(
    sku: str,
    variants: list[FeedItem],
    by_type: ProductFields | None,
    override: ProductFields,
    name: str,
    problems: list[str],
) -> dict[str, bool]:
    at = variants[0].line
    known: dict[str, bool] = {}
    unknown = []
    for prop in SAFETY_PROPERTIES:
        stated = {
            v.line: _TRUTH[v.details[prop][0].strip().lower()]
            for v in variants
            if prop in v.details and v.details[prop][0].strip().lower() in _TRUTH
        }
        if prop in override.safety:
            known[prop] = override.safety[prop]
            continue
        if len(set(stated.values())) > 1:
            lines = ", ".join(f"line {line}: {_bool(v)}" for line, v in stated.items())
            problems.append(
                f"{where(name, at, prop)}: the variants of {shown(sku)} disagree ({lines})"
            )
            continue
        feed_value = next(iter(stated.values()), None)
        type_value = by_type.safety.get(prop) if by_type else None
        if feed_value is not None and type_value is not None and feed_value != type_value:
            problems.append(
                f"{where(name, at, prop)}: the feed says {_bool(feed_value)} but the mapping "
                f"for '{variants[0].product_type}' says {_bool(type_value)}; correct one, or "
                f'settle it for this product under [skus."{sku}"]'
            )
        elif feed_value is None and type_value is None:
            unknown.append(prop)
        else:
            known[prop] = feed_value if feed_value is not None else bool(type_value)
    if unknown:
        problems.append(
            f"{where(name, at, ', '.join(unknown))}: {shown(sku)} has unknown safety properties; "
            "state them as product_detail attributes in the feed, or set them under "
            f'[types."{variants[0].product_type}"] or [skus."{sku}"] in the mapping'
        )
    return known


def _sizes(
    sku: str,
    variants: list[FeedItem],
    mapping: FeedMapping,
    chart_name: str | None,
    name: str,
    problems: list[str],
) -> list[dict[str, str]]:
    labels: dict[str, int] = {}  # label -> first line; colour variants repeat a size
    for variant in variants:
        if variant.size.strip():
            labels.setdefault(variant.size.strip(), variant.line)
    chart = mapping.size_charts.get(chart_name) if chart_name else None
    if chart is None:
        if len(labels) > 1:
            line = next(iter(labels.values()))
            problems.append(
                f"{where(name, line, 'size')}: {shown(sku)} comes in {', '.join(labels)} but has no "
                f'size chart; set size_chart for its type or under [skus."{sku}"]'
            )
        return []  # one size: sizes.csv lists only products that come in several
    rows = []
    for label, line in labels.items():
        written = chart.find(label)
        if written is None:
            problems.append(
                f"{where(name, line, 'size')}: {shown(label)} is not in size chart '{chart_name}' "
                f"({', '.join(chart.sizes)})"
            )
            continue
        low, high = chart.sizes[written]
        rows.append(
            {
                "sku": sku,
                "size": written,
                "measure": chart.measure,
                "min": f"{low:g}",
                "max": f"{high:g}",
            }
        )
    return rows


def _name(item: FeedItem) -> str:
    """The title without the variant's size or colour on the end ("Sleeve - M" -> "Sleeve")."""
    title = item.title.strip()
    for label in (item.size.strip(), item.colour.strip()):
        if not label:
            continue
        for suffix in (f" - {label}", f" – {label}", f", {label}", f" / {label}", f" ({label})"):
            if title.lower().endswith(suffix.lower()):
                title = title[: -len(suffix)].strip()
                break
    return title or item.id


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain(text: str) -> str:
    """Shopify descriptions are HTML; the catalog holds plain text (pages escape it again)."""
    if "<" in text or "&" in text:
        parser = _Text()
        parser.feed(text)
        parser.close()
        text = " ".join(parser.parts)
    return " ".join(text.split())


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _csv(columns: Iterable[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
