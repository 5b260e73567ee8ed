"""One item (a variant) as a feed states it, and the limits every feed is read within.

Readers keep the feed's own words; `build` decides what they mean for our catalog, so all
three formats are judged by one set of rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from recommender.errors import InputError
from recommender.feedback.records import FORMULA_STARTS
from recommender.files import UnreadableFile, read_bounded

# A shop's whole feed is a few MB; the caps stop a stray or hostile file early.
MAX_FEED_BYTES = 64 * 1024 * 1024
MAX_LINE_CHARS = 128 * 1024
MAX_ITEMS = 20_000
MAX_XML_DEPTH = 12
# A long list of problems helps nobody: the first ones, then how many more.
MAX_PROBLEMS_LISTED = 200
# A cell that is a plain number ("-3" units, "+44") is read as a number, never as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class FeedItem:
    """One variant of a product: its line in the feed and the fields we read."""

    line: int
    id: str
    group: str  # the product it is a variant of: item_group_id, Handle, or its own id
    title: str
    description: str
    link: str
    image_link: str
    product_type: str
    size: str
    colour: str
    price: str  # as written, e.g. "39.00 GBP"; Shopify gives a bare number
    availability: str  # in_stock, out_of_stock, preorder or backorder (or what the feed said)
    # Safety properties the feed states (heat, cold, compression, magnetic) -> raw value,
    # with the field they came from, so a problem can name it.
    details: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The feed's own column for a field where it differs from Merchant Center's name (Shopify's
    # two layouts), so a problem names the column the merchandiser sees.
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedRead:
    """What a reader found: the items, the problems, and what it left out on purpose."""

    format: str
    items: tuple[FeedItem, ...]
    problems: tuple[str, ...]
    left_out: int = 0  # Shopify drafts and archived products: not for sale


def where(name: str, line: int | None, field_name: str = "") -> str:
    """Where in a feed file something is: its name, line and, when given, field."""
    return f"{name} line {line}" + (f", field '{field_name}'" if field_name else "")


def read_feed_file(path: Path, limit: int, kind: str) -> bytes:
    """A feed or mapping file's bytes; `InputError` naming it when it cannot be read or is over
    `limit` (a folder in its place is named, expecting a `kind` file)."""
    try:
        return read_bounded(path, limit, kind)
    except UnreadableFile as refused:
        name = path.name if refused.too_large else str(path)
        raise InputError(f"{name}: {refused.problem}") from None


def gmc_item(line: int, fields: Mapping[str, str], details: dict[str, tuple[str, str]]) -> FeedItem:
    """A Merchant Center item from its fields by their `g:` names (TSV columns or RSS elements)."""
    return FeedItem(
        line=line,
        id=fields.get("id", ""),
        group=fields.get("item_group_id") or fields.get("id", ""),
        title=fields.get("title", ""),
        description=fields.get("description", ""),
        link=fields.get("link", ""),
        image_link=fields.get("image_link", ""),
        product_type=fields.get("product_type", ""),
        size=fields.get("size", ""),
        colour=fields.get("color", ""),
        price=fields.get("price", ""),
        availability=normal_availability(fields.get("availability", "")),
        details=details,
    )


def normal_availability(text: str) -> str:
    """A feed's availability in one spelling (`in_stock`, `out_of_stock`, ...)."""
    # Merchant Center accepts both "in stock" (older) and "in_stock".
    return text.strip().lower().replace(" ", "_")


def shown(value: str, limit: int = 120) -> str:
    """A feed value quoted for a message, cut short: a hostile cell must not flood stderr."""
    return f"'{value}'" if len(value) <= limit else f"'{value[:limit]}...' ({len(value):,} chars)"


def formula_problem(value: str) -> str | None:
    """Why a spreadsheet would run this feed cell as a formula (OWASP CSV injection), or None.

    The same starts the feedback CSV import refuses (`FORMULA_STARTS`: = + - @ tab CR), on the
    cell as written and as stripped (the stripped value is what reaches products.csv, which
    merchandisers open in spreadsheets). A plain number is a number.
    """
    for candidate in (value, value.strip()):
        if candidate.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(candidate):
            return (
                f"{shown(value.strip() or value)} starts with {candidate[0]!r}, which a "
                "spreadsheet would run as a formula; feed cells may not start with = + - @"
            )
    return None
