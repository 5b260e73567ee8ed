"""Merchant Center tab-separated feeds and Shopify product export CSV, row by row with lines.

Line numbers are the file's physical lines (the header is line 1), so a cell holding a line
break (a Shopify HTML description) still leaves every later row named where an editor shows it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from recommender.catalog.products import SAFETY_PROPERTIES
from recommender.feed.items import (
    MAX_ITEMS,
    FeedItem,
    FeedRead,
    formula_problem,
    gmc_item,
    shown,
    where,
)

GMC_REQUIRED = ("id", "title", "price", "availability", "product_type", "link")


@dataclass(frozen=True)
class ShopifyColumns:
    """Where each field we read sits in one of Shopify's two product CSV layouts.

    Shopify's help page "Using CSV files to import and export products"
    (help.shopify.com/en/manual/products/import-export/using-csv) describes the current
    layout; exports made before it (and many other tools) use the classic one. Option columns
    hold `{n}` for 1 to 3.
    """

    handle: str
    title: str
    description: str
    type: str
    sku: str
    price: str
    quantity: str
    tracker: str  # classic only: "shopify" when Shopify counts the stock
    keep_selling: str  # "continue" (classic) or TRUE (current): sold even when none are left
    image: str
    variant_image: str
    status: str
    option_name: str
    option_value: str


CLASSIC = ShopifyColumns(
    handle="Handle", title="Title", description="Body (HTML)", type="Type", sku="Variant SKU",
    price="Variant Price", quantity="Variant Inventory Qty", tracker="Variant Inventory Tracker",
    keep_selling="Variant Inventory Policy", image="Image Src", variant_image="Variant Image",
    status="Status", option_name="Option{n} Name", option_value="Option{n} Value",
)  # fmt: skip
CURRENT = ShopifyColumns(
    handle="URL handle", title="Title", description="Description", type="Type", sku="SKU",
    price="Price", quantity="Inventory quantity", tracker="Inventory tracker",
    keep_selling="Continue selling when out of stock", image="Product image URL",
    variant_image="Variant image URL", status="Status", option_name="Option{n} name",
    option_value="Option{n} value",
)  # fmt: skip
SHOPIFY_LAYOUTS = (CLASSIC, CURRENT)
# Shopify writes product metafields as columns named "Label (product.metafields.NS.KEY)".
_METAFIELD = re.compile(r"\(product\.metafields\.[^.()]+\.([^.()]+)\)\s*$")


def shopify_layout(header: list[str]) -> ShopifyColumns | None:
    """The Shopify layout whose handle column the header holds, or None (not Shopify)."""
    cells = {cell.strip() for cell in header}
    return next((layout for layout in SHOPIFY_LAYOUTS if layout.handle in cells), None)


def rows_with_lines(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) for each record; raises csv.Error on a broken one."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _rows(
    records: Iterator[tuple[int, list[str]]], columns: list[str], name: str, problems: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, cells by column) for each record that holds anything; a record with more cells
    than the header is named in `problems` and skipped."""
    for line, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            problems.append(f"{where(name, line)}: more cells than the header has columns")
            continue
        for column, cell in zip(columns, cells, strict=False):
            problem = formula_problem(cell)
            if problem:
                problems.append(f"{where(name, line, column)}: {problem}")
        yield line, dict(zip(columns, (c.strip() for c in cells), strict=False))


def read_gmc_tsv(text: str, name: str) -> FeedRead:
    """The items of a tab-separated Merchant Center feed, with their line numbers."""
    records = rows_with_lines(text, "\t")
    problems: list[str] = []
    _, header = next(records, (1, []))
    columns = [_gmc_column(cell) for cell in header]
    missing = [c for c in GMC_REQUIRED if c not in columns]
    if missing:
        return FeedRead("gmc-tsv", (), tuple(f"{where(name, 1)}: no '{c}' column" for c in missing))
    items: list[FeedItem] = []
    for line, row in _rows(records, columns, name, problems):
        if len(items) >= MAX_ITEMS:
            problems.append(f"{where(name, line)}: more than {MAX_ITEMS:,} items")
            break
        details, bad = _gmc_details(row.get("product_detail", ""))
        problems += [f"{where(name, line, 'product_detail')}: {b}" for b in bad]
        items.append(gmc_item(line, row, details))
    return FeedRead("gmc-tsv", tuple(items), tuple(problems))


def _gmc_column(cell: str) -> str:
    cell = cell.strip().lower()
    return cell[2:] if cell.startswith("g:") else cell


def _gmc_details(cell: str) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Safety properties from a TSV product_detail cell: "section:attribute:value,...".

    Other attributes (materials, care) are left alone; only the four safety properties count.
    """
    found: dict[str, tuple[str, str]] = {}
    problems: list[str] = []
    for part in filter(None, (p.strip() for p in cell.split(","))):
        pieces = part.split(":")
        if len(pieces) != 3:
            problems.append(f"{shown(part)} is not section:attribute:value")
            continue
        attribute, value = pieces[1].strip().lower(), pieces[2].strip()
        if attribute in SAFETY_PROPERTIES:
            found[attribute] = (value, "product_detail")
    return found, problems


def read_shopify_csv(text: str, name: str) -> FeedRead:
    """The items of a Shopify product export CSV, with their line numbers."""
    records = rows_with_lines(text, ",")
    _, columns = next(records, (1, []))
    columns = [c.strip() for c in columns]
    layout = shopify_layout(columns) or CLASSIC
    missing = [c for c in (layout.handle, layout.price) if c not in columns]
    if missing:
        return FeedRead(
            "shopify-csv", (), tuple(f"{where(name, 1)}: no '{c}' column" for c in missing)
        )
    metafields = {c: m.group(1).lower() for c in columns if (m := _METAFIELD.search(c))}
    items: list[FeedItem] = []
    problems: list[str] = []
    products: dict[str, dict[str, str]] = {}  # handle -> its first row (product-level fields)
    left_out: set[str] = set()
    for line, row in _rows(records, columns, name, problems):
        handle = row.get(layout.handle, "")
        if not handle:
            problems.append(f"{where(name, line, layout.handle)}: is empty")
            continue
        product = products.setdefault(handle, row)
        if row.get(layout.status, "active").lower() in {"draft", "archived"} and product is row:
            left_out.add(handle)
        if handle in left_out or not row.get(layout.price):
            continue  # a draft, or an image-only row
        if len(items) >= MAX_ITEMS:
            problems.append(f"{where(name, line)}: more than {MAX_ITEMS:,} items")
            break
        items.append(_shopify_item(row, product, line, metafields, layout))
    return FeedRead("shopify-csv", tuple(items), tuple(problems), len(left_out))


def _shopify_item(
    row: dict[str, str],
    product: dict[str, str],
    line: int,
    metafields: dict[str, str],
    layout: ShopifyColumns,
) -> FeedItem:
    details = {
        key: (product[column], column)
        for column, key in metafields.items()
        if key in SAFETY_PROPERTIES and product.get(column, "")
    }
    handle = row[layout.handle]
    return FeedItem(
        line=line,
        id=row.get(layout.sku, "") or handle,
        group=handle,
        title=product.get(layout.title, ""),
        description=product.get(layout.description, ""),
        link="",  # the export has no address; build makes one from the mapping's shop_url
        image_link=product.get(layout.image, "") or row.get(layout.variant_image, ""),
        product_type=product.get(layout.type, ""),
        size=_shopify_option(row, product, "size", layout),
        colour=_shopify_option(row, product, "color", layout)
        or _shopify_option(row, product, "colour", layout),
        price=row.get(layout.price, ""),
        availability=_shopify_availability(row, layout),
        details=details,
        columns={"price": layout.price, "availability": layout.quantity},
    )


def _shopify_option(
    row: dict[str, str], product: dict[str, str], option: str, layout: ShopifyColumns
) -> str:
    # Option names sit on the product's first row only; values on every variant row.
    for n in (1, 2, 3):
        if product.get(layout.option_name.format(n=n), "").strip().lower() == option:
            return row.get(layout.option_value.format(n=n), "")
    return ""


def _shopify_availability(row: dict[str, str], layout: ShopifyColumns) -> str:
    """In stock unless Shopify tracks the variant's stock and has none left.

    A variant set to keep selling when sold out ("continue", or TRUE in the current layout)
    can still be bought, so it counts. The classic layout says whether Shopify tracks the stock
    ("shopify"); in the current one, a stated quantity is a tracked one unless a tracker column
    says otherwise.
    """
    quantity = row.get(layout.quantity, "")
    tracker = row.get(layout.tracker, "").strip().lower()
    tracked = tracker == "shopify" if layout is CLASSIC else tracker in ("", "shopify")
    keep_selling = row.get(layout.keep_selling, "").strip().lower() in {"continue", "true"}
    if not tracked or not quantity or keep_selling:
        return "in_stock"
    try:
        return "in_stock" if int(float(quantity)) > 0 else "out_of_stock"
    except ValueError:
        return f"stock {quantity}"  # not a count; build names it with the line
