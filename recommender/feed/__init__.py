"""Catalog import from a shop's product feed (SPEC section 6, `catalog import-feed`).

items.py     one feed row as read, and the limits every feed is held to
tabular.py   Google Merchant Center TSV and Shopify product export CSV
rss.py       Google Merchant Center RSS 2.0 XML (through defusedxml)
formats.py   which of the three a file is, told from its content
mapping.py   MAP.toml: product types -> categories and tags, size charts, SKU overrides
build.py     items + mapping -> products.csv and sizes.csv text, or every problem at once
save.py      writing the result: to a folder, or as a new catalog version
"""

from recommender.exports import public_names

__all__, __getattr__, __dir__ = public_names(
    __name__,
    {
        "recommender.feed.save": ("import_feed",),
        "recommender.feed.mapping": ("FeedMapping", "load_mapping"),
        "recommender.feed.build": ("build_catalog",),
    },
)
