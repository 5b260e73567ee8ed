"""Merchant Center tab-separated feeds and Shopify product export CSV, row by row with lines.

Line numbers are the file's physical lines (the header is line 1), so a cell holding a line
break (a Shopify HTML description) still leaves every later row named where an editor shows it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from recommender.catalog.products import SAFETY_PROPERTIES
from recommender.feed.items import (
    MAX_ITEMS,
    FeedItem,
    FeedRead,
    gmc_item,
    shown,
    where,
)

GMC_REQUIRED = ("id", "title", "price", "availability", "product_type", "link")
SHOPIFY_REQUIRED = ("Handle", "Variant Price")
# Shopify writes product metafields as columns named "Label (product.metafields.NS.KEY)".
_METAFIELD = re.compile(r"\(product\.metafields\.[^.()]+\.([^.()]+)\)\s*$")


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
    missing = [c for c in SHOPIFY_REQUIRED if c not in columns]
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
        handle = row.get("Handle", "")
        if not handle:
            problems.append(f"{where(name, line, 'Handle')}: is empty")
            continue
        product = products.setdefault(handle, row)
        if row.get("Status", "active").lower() in {"draft", "archived"} and product is row:
            left_out.add(handle)
        if handle in left_out or not row.get("Variant Price"):
            continue  # a draft, or an image-only row
        if len(items) >= MAX_ITEMS:
            problems.append(f"{where(name, line)}: more than {MAX_ITEMS:,} items")
            break
        items.append(_shopify_item(row, product, line, metafields))
    return FeedRead("shopify-csv", tuple(items), tuple(problems), len(left_out))


def _shopify_item(
    row: dict[str, str], product: dict[str, str], line: int, metafields: dict[str, str]
) -> FeedItem:
    details = {
        key: (product[column], column)
        for column, key in metafields.items()
        if key in SAFETY_PROPERTIES and product.get(column, "")
    }
    return FeedItem(
        line=line,
        id=row.get("Variant SKU", "") or row["Handle"],
        group=row["Handle"],
        title=product.get("Title", ""),
        description=product.get("Body (HTML)", ""),
        link="",  # the export has no address; build makes one from the mapping's shop_url
        image_link=product.get("Image Src", "") or row.get("Variant Image", ""),
        product_type=product.get("Type", ""),
        size=_shopify_option(row, product, "size"),
        colour=_shopify_option(row, product, "color") or _shopify_option(row, product, "colour"),
        price=row.get("Variant Price", ""),
        availability=_shopify_availability(row),
        details=details,
    )


def _shopify_option(row: dict[str, str], product: dict[str, str], option: str) -> str:
    # Option names sit on the product's first row only; values on every variant row.
    for n in (1, 2, 3):
        if product.get(f"Option{n} Name", "").strip().lower() == option:
            return row.get(f"Option{n} Value", "")
    return ""


def _shopify_availability(row: dict[str, str]) -> str:
    """In stock unless Shopify tracks the variant's stock and has none left.

    A variant set to keep selling when sold out ("continue") can still be bought, so it counts.
    """
    tracked = row.get("Variant Inventory Tracker", "").lower() == "shopify"
    quantity = row.get("Variant Inventory Qty", "")
    if not tracked or not quantity or row.get("Variant Inventory Policy", "") == "continue":
        return "in_stock"
    try:
        return "in_stock" if int(float(quantity)) > 0 else "out_of_stock"
    except ValueError:
        return f"stock {quantity}"  # not a count; build names it with the line
