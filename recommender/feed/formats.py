"""Read a feed file within its limits and tell its format from its content, not its name."""

from __future__ import annotations

import csv
from pathlib import Path

from recommender.errors import InputError
from recommender.feed.items import MAX_FEED_BYTES, MAX_LINE_CHARS, FeedRead, read_feed_file, where
from recommender.feed.rss import read_gmc_rss
from recommender.feed.tabular import read_gmc_tsv, read_shopify_csv, shopify_layout

FORMATS = ("gmc-tsv", "gmc-rss", "shopify-csv")


def read_feed(path: Path) -> FeedRead:
    """The items in the feed at `path`; `InputError` when it cannot be read as a feed at all."""
    path = Path(path)
    raw = read_feed_file(path, MAX_FEED_BYTES, "feed")
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return read_gmc_rss(raw, path.name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(f"{where(path.name, line)}: not UTF-8 text") from None
    for number, text_line in enumerate(text.split("\n"), start=1):
        if len(text_line) > MAX_LINE_CHARS:
            raise InputError(
                f"{where(path.name, number)}: longer than the {MAX_LINE_CHARS:,} characters allowed"
            )
    header = text.split("\n", 1)[0]
    try:
        if "\t" in header:
            return read_gmc_tsv(text, path.name)
        if shopify_layout(next(csv.reader([header]), [])) is not None:
            return read_shopify_csv(text, path.name)  # the classic or the current layout
    except csv.Error as error:  # a broken quote leaves every later row meaningless
        raise InputError(f"{path.name}: not readable as a table ({error})") from None
    raise InputError(
        f"{path.name}: not a feed we read; expected a Google Merchant Center feed "
        "(tab-separated or RSS XML) or a Shopify product export CSV"
    )
