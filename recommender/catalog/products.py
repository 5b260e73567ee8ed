"""The product catalog (SPEC section 3): `products.csv`, read and checked into a frozen table.

Validation collects every problem at once, each naming the file, the row (as a spreadsheet
shows it: the header is row 1) and the column, so a merchandiser can fix a file in one pass.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recommender.catalog.pictures import image_problem, url_problem
from recommender.catalog.reading import decode_csv, read_catalog_file
from recommender.catalog.sizes import EMPTY_CHART, SizeChart, parse_sizes, read_sizes
from recommender.errors import Problems
from recommender.files import version_token
from recommender.shopper.answers import LIST_CHOICES

PRODUCTS_FILE = "products.csv"
MIN_PRODUCTS = 40
# Catalog files are small; a cap keeps a stray huge file from being parsed for minutes.
MAX_CATALOG_BYTES = 32 * 1024 * 1024

CATEGORIES = (
    "knee_sleeve",
    "knee_brace_hinged",
    "knee_strap",
    "knee_brace_unloader",
    "back_brace",
    "si_belt",
    "posture_corrector",
    "lumbar_cushion",
    "seat_cushion",
    "orthotic_insole",
    "bunion_corrector",
    "hot_cold_therapy",
    "stretch_aid",
    "yoga_prop",
    "hip_support",
    "thigh_sleeve",
    "compression_socks",
)
# True/false columns the safety cautions read (SPEC sections 2 and 3); `cold` is revision 2.
SAFETY_PROPERTIES = ("heat", "cold", "compression", "magnetic")
REQUIRED_COLUMNS = ("sku", "name", "category", "price", "in_stock", *SAFETY_PROPERTIES)
SUPPORT_LEVELS = ("none", "light", "medium", "firm")
FITS = ("running", "walking", "sport", "yoga", "cycling")
AREAS = LIST_CHOICES["pain_areas"]
# Optional attribute columns the rules read, with the words each may hold.
TAG_COLUMNS = {"support_level": "support", "areas": "area", "fits": "fit", "features": "feature"}
_ALLOWED_WORDS = {"support_level": SUPPORT_LEVELS, "areas": AREAS, "fits": FITS}
_BOOLEAN = {"true": True, "false": False}


@dataclass(frozen=True)
class Catalog:
    """The products, one row each in file order, and the tags each one carries."""

    products: pd.DataFrame
    tags: tuple[frozenset[str], ...]
    version: str
    sizes: SizeChart = EMPTY_CHART  # from the optional sizes.csv (SPEC section 8)

    @property
    def skus(self) -> tuple[str, ...]:
        """Every product's sku, in catalog order."""
        return tuple(self.products["sku"])

    def row(self, sku: str) -> dict[str, Any]:
        """One product's columns by SKU ({} for an SKU not in the catalog)."""
        return dict(self._rows_by_sku.get(sku, {}))

    @cached_property
    def _rows_by_sku(self) -> dict[str, dict[str, Any]]:
        # Built once per catalog: a pandas lookup by SKU costs milliseconds, and every card of
        # every results page makes one (the catalog is frozen, so the index never goes stale).
        return {str(row["sku"]): row for row in self.products.to_dict("records")}

    def tag_matrix(self, keys: list[str]) -> np.ndarray:
        """A products x keys 0/1 matrix: does product p carry key k (its category or a tag)."""
        index = {key: column for column, key in enumerate(keys)}
        matrix = np.zeros((len(self.tags), len(keys)))
        for row, tags in enumerate(self.tags):
            for tag in tags:
                if tag in index:
                    matrix[row, index[tag]] = 1.0
        return matrix


def load_catalog(directory: Path, *, complete: bool = False) -> Catalog:
    """Read and check `products.csv` in `directory`; raise `CatalogError` listing every problem.

    `complete` also demands what the shop's own catalog must have: every category and at least
    40 products (a test or benchmark catalog may be smaller).
    """
    path = Path(directory) / PRODUCTS_FILE
    raw = read_catalog_file(path, MAX_CATALOG_BYTES, "CSV")
    return _catalog(
        raw, lambda skus, problems: read_sizes(Path(directory), skus, problems), complete
    )


def parse_catalog(raw: bytes, sizes_text: str = "", *, complete: bool = False) -> Catalog:
    """The catalog the bytes of a products.csv (and the text of its sizes.csv, empty when there
    is none) load as: exactly what `load_catalog` gives for a folder holding those files."""

    def sizes(skus: Iterable[str], problems: Problems) -> SizeChart:
        return parse_sizes(sizes_text, skus, problems) if sizes_text else EMPTY_CHART

    return _catalog(raw, sizes, complete)


def _catalog(
    raw: bytes, sizes: Callable[[Iterable[str], Problems], SizeChart], complete: bool
) -> Catalog:
    problems = Problems()
    rows = _parse_rows(decode_csv(raw, PRODUCTS_FILE), PRODUCTS_FILE, problems)
    if complete and rows:  # with the row problems, so one run lists everything to fix
        _completeness(rows, PRODUCTS_FILE, problems)
    # Checked with the products, so one run of `catalog validate` lists both files' problems.
    chart = sizes([row.get("sku", "") for row in rows], problems)
    problems.raise_if_any()
    frame = pd.DataFrame(rows)
    tags = tuple(_product_tags(row) for row in rows)
    version = version_token(raw)
    return Catalog(products=frame, tags=tags, version=version, sizes=chart)


def _parse_rows(text: str, name: str, problems: Problems) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        columns = reader.fieldnames or []
    except csv.Error as error:
        problems.at(name, 1, "", _csv_problem(error))
        return []
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    problems.extend(f"{name}: column '{c}' appears more than once in the header" for c in repeated)
    problems.extend(f"{name}: missing column '{c}'" for c in ([] if repeated else missing))
    if repeated or missing:
        return []
    rows: list[dict] = []
    found = Problems()  # kept apart: a broken cell further down voids them (see below)
    seen: dict[str, int] = {}
    records = enumerate(reader, start=2)
    line = 1
    while True:
        try:
            line, record = next(records)
        except StopIteration:
            break
        except csv.Error as error:
            # The rows after a broken cell cannot be trusted to line up: report it alone.
            problems.at(name, line + 1, "", _csv_problem(error))
            return []
        row, row_problems = _parse_row(record, columns)
        for column, message in row_problems:
            found.at(name, line, column, message)
        sku = row.get("sku", "")
        if sku in seen:
            found.at(name, line, "sku", f"'{sku}' repeats row {seen[sku]}")
        elif sku:
            seen[sku] = line
        rows.append(row)
    problems.extend(found.shown)
    if not rows and not found:
        problems.add(f"{name}: no products")
    return rows


def _csv_problem(error: csv.Error) -> str:
    if "field limit" in str(error):
        return f"a cell is longer than the {csv.field_size_limit():,} characters allowed"
    return f"not readable as CSV ({error})"


def _parse_row(record: dict, columns: Sequence[str]) -> tuple[dict, list[tuple[str, str]]]:
    if None in record:  # csv puts surplus cells under the key None
        return {}, [("(row)", "has more cells than the header")]
    cells = {column: (record.get(column) or "").strip() for column in columns}
    problems: list[tuple[str, str]] = []
    row: dict = dict(cells)
    for column in ("sku", "name"):
        if not cells[column]:
            problems.append((column, "is empty"))
    if cells["category"] not in CATEGORIES:
        problems.append(("category", f"'{cells['category']}' is not a known category"))
    row["price"] = _price(cells["price"], problems)
    for column in ("in_stock", *SAFETY_PROPERTIES):
        row[column] = _boolean(column, cells[column], problems)
    for column, check in (("image", image_problem), ("url", url_problem)):
        problem = check(cells.get(column, ""))
        if problem:
            problems.append((column, problem))
    for column, allowed in _ALLOWED_WORDS.items():
        for word in cells.get(column, "").split():
            if word not in allowed:
                problems.append((column, f"'{word}' is not one of {', '.join(allowed)}"))
    return row, problems


def _price(text: str, problems: list[tuple[str, str]]) -> float:
    try:
        price = float(text)
    except ValueError:
        problems.append(("price", f"'{text}' is not a number"))
        return math.nan
    if not math.isfinite(price) or price <= 0:
        problems.append(("price", f"{text} must be a number above 0"))
    return price


def _boolean(column: str, text: str, problems: list[tuple[str, str]]) -> bool:
    value = _BOOLEAN.get(text.lower())
    if value is None:
        problems.append((column, f"'{text}' must be true or false"))
        return False
    return value


def _completeness(rows: list[dict], name: str, problems: Problems) -> None:
    if len(rows) < MIN_PRODUCTS:
        problems.add(f"{name}: {len(rows)} products, at least {MIN_PRODUCTS} are needed")
    present = {row.get("category") for row in rows}
    problems.extend(f"{name}: no product in category '{c}'" for c in CATEGORIES if c not in present)


def _product_tags(row: dict) -> frozenset[str]:
    tags = {row["category"]}
    for column, prefix in TAG_COLUMNS.items():
        tags.update(f"{prefix}:{word}" for word in row.get(column, "").split())
    return frozenset(tags)
