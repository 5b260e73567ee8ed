"""Checks a whole catalog directory: products and weights, every problem at once."""

from __future__ import annotations

import csv
from pathlib import Path

from recommender.catalog.pictures import picture_checks
from recommender.catalog.products import MAX_CATALOG_BYTES, PRODUCTS_FILE, load_catalog
from recommender.catalog.weights import load_weights
from recommender.errors import CatalogError, Problems
from recommender.shopper.rules import load_rule_book

# A staff notice about a catalog file starts with this, so pages can tell it from a refused model.
CATALOG_NOTICE = "catalog files: "


def catalog_problems(directory: Path) -> list[str]:
    """Every problem in `directory`'s products.csv, sizes.csv, pictures and weights.toml."""
    return catalog_check(directory)[0]


def catalog_check(directory: Path) -> tuple[list[str], list[str]]:
    """(problems, warnings) for a catalog directory. Warnings (a product without a picture)
    do not stop the catalog being served."""
    problems = Problems()
    warnings: list[str] = []
    try:
        catalog = load_catalog(directory, complete=True)
        skus = catalog.skus
        found, warnings = picture_checks(Path(directory), catalog.products)
        problems.extend(found)
    except CatalogError as error:
        problems.extend(error.problems)
        skus = _skus_leniently(Path(directory) / PRODUCTS_FILE)
    try:
        load_weights(directory, load_rule_book().ids, skus)
    except CatalogError as error:
        problems.extend(error.problems)
    return problems.listed(), warnings


def _skus_leniently(path: Path) -> tuple[str, ...]:
    """The SKUs a broken products file names, so weights can still be checked against them."""
    found: list[str] = []
    try:
        if not path.is_file() or path.stat().st_size > MAX_CATALOG_BYTES:
            return ()  # load_catalog has named that problem already
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            found.extend(row.get("sku") or "" for row in csv.DictReader(handle))
    except (OSError, csv.Error):
        pass  # the rows up to the broken one still count
    return tuple(found)
