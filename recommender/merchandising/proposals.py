"""The editable files as they are on disk, with the token an editor opens them with, and
checked proposals to change them: new contents loaded exactly as the engine would read them.

A token is a hash of the files; a save made from a stale token is refused (`weights_store`).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.catalog.products import MAX_CATALOG_BYTES, PRODUCTS_FILE, Catalog, parse_catalog
from recommender.catalog.weights import (
    MAX_WEIGHTS_BYTES,
    WEIGHTS_FILE,
    Weights,
    parse_weights,
    weights_from_bytes,
)
from recommender.errors import CatalogError, Problems
from recommender.files import UnreadableFile, read_bounded, version_token
from recommender.merchandising.history import SIZES_FILE, recover
from recommender.merchandising.weights_file import render_weights
from recommender.shopper.rules import load_rule_book


@dataclass(frozen=True)
class CatalogState:
    """The editable files as they are on disk, and the token an editor opens them with."""

    weights_text: str
    products_text: str
    sizes_text: str = ""  # empty: the catalog has no sizes.csv

    @property
    def token(self) -> str:
        """A short name for these files' content, to tell whether someone else saved meanwhile."""
        return state_token(self.weights_text, self.products_text, self.sizes_text)


@dataclass(frozen=True)
class Proposal:
    """Checked new contents for both files, with the catalog and weights they load as."""

    weights_text: str
    products_text: str
    catalog: Catalog
    weights: Weights
    sizes_text: str = ""


def state_token(weights_text: str, products_text: str, sizes_text: str = "") -> str:
    """A short name for the content of a catalog's weights, products and sizes."""
    data = weights_text.encode() + b"\0" + products_text.encode()
    if sizes_text:  # without sizes.csv a token stays what it was before sizes were versioned
        data += b"\0" + sizes_text.encode()
    return version_token(data)


def current_state(directory: Path) -> CatalogState:
    """The live files, after finishing or undoing any save a crash interrupted."""
    # If the disk still refuses, the journal stays and the next save names the problem.
    with contextlib.suppress(OSError):
        recover(directory)
    return read_state(directory)


def read_state(directory: Path) -> CatalogState:
    """The files in `directory` as they are, with no recovery: for a version's folder, or for
    the live files with the lock held."""
    directory = Path(directory)
    return CatalogState(
        _editable_text(directory / WEIGHTS_FILE, MAX_WEIGHTS_BYTES),
        _editable_text(directory / PRODUCTS_FILE, MAX_CATALOG_BYTES),
        _editable_text(directory / SIZES_FILE, MAX_CATALOG_BYTES),
    )


def _editable_text(path: Path, cap: int) -> str:
    """A file's text for editing and diffing, never raising on what a hand edit can leave.

    A folder reads as no file, and bytes that are not UTF-8 as U+FFFD: the page can still open
    and roll back, while serving (which reads the bytes strictly) names the real problem.
    """
    if not path.is_file():
        return ""
    try:
        raw = read_bounded(path, cap)
    except UnreadableFile as error:
        raise CatalogError([f"{path.name}: {error.problem}"]) from None
    return raw.decode("utf-8", errors="replace")


def propose(
    base: CatalogState, weights_data: Mapping[str, Any], in_stock: Mapping[str, Any]
) -> Proposal:
    """Check edits made on top of `base`; raise `CatalogError` naming every bad value.

    Checking reuses the loaders themselves on the exact text that a save would write, so the
    page can never save a file that `recommender catalog validate` would refuse.
    """
    products_text = with_stock(base.products_text, in_stock)
    problems = Problems()
    try:
        skus = set(load_catalog_text(products_text).skus)
    except CatalogError as error:
        problems.extend(error.problems)
        skus = set(load_catalog_text(base.products_text).skus)
    try:
        parse_weights(weights_data, set(load_rule_book().ids), skus, version="proposal")
    except CatalogError as error:
        problems.extend(error.problems)
    problems.raise_if_any()
    return load_proposal(render_weights(weights_data), products_text, base.sizes_text)


def load_proposal(weights_text: str, products_text: str, sizes_text: str = "") -> Proposal:
    """Load the texts exactly as the engine would read them from disk, without writing them
    anywhere (an empty text stands for a file the catalog does not have)."""
    catalog = load_catalog_text(products_text, sizes_text)
    weights = (
        weights_from_bytes(weights_text.encode("utf-8"), load_rule_book().ids, catalog.skus)
        if weights_text
        else Weights()
    )
    return Proposal(weights_text, products_text, catalog, weights, sizes_text)


def load_catalog_text(products_text: str, sizes_text: str = "") -> Catalog:
    """The catalog these texts load as; the same bytes give the same version as on disk."""
    return parse_catalog(products_text.encode("utf-8"), sizes_text)


def with_stock(products_text: str, in_stock: Mapping[str, Any]) -> str:
    """`products_text` with the `in_stock` cells of the given SKUs replaced, the rest untouched."""
    rows = list(csv.reader(io.StringIO(products_text)))
    if not rows or "sku" not in rows[0] or "in_stock" not in rows[0]:
        return products_text  # load_catalog names the missing column
    sku_at, stock_at = rows[0].index("sku"), rows[0].index("in_stock")
    changed = False
    for row in rows[1:]:
        if len(row) > max(sku_at, stock_at) and row[sku_at] in in_stock:
            cell = _stock_cell(in_stock[row[sku_at]])
            changed |= cell != row[stock_at]
            row[stock_at] = cell
    if not changed:
        return products_text
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if "\r\n" in products_text else "\n").writerows(rows)
    return out.getvalue()


def _stock_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)  # anything else is refused by load_catalog, naming row and column
