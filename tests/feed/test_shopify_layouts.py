"""Shopify's current product export and its classic one are read alike, told apart by header.

The current layout (Shopify help, "Using CSV files to import and export products") renames the
columns: "URL handle", "Description", "SKU", "Price", "Inventory quantity", "Product image URL",
"Option1 name"/"Option1 value". A shop that moved to it gets the same catalog as before.
"""

from __future__ import annotations

import csv

from tests.feed.conftest import EXAMPLES, MAPPING, edited_feed, line_of

CLASSIC = "shopify-products.csv"
CURRENT = "shopify-products-current.csv"


def test_both_layouts_build_the_same_catalog(tmp_path, cli):
    built = {}
    for feed in (CLASSIC, CURRENT):
        out = tmp_path / feed
        code, stdout, err = cli(
            "catalog", "import-feed", EXAMPLES / feed, "--mapping", MAPPING, "--out", out
        )
        assert code == 0, err
        assert "(shopify-csv): 136 items -> 48 products, 110 sizes" in stdout
        assert "left out 1 draft or archived products" in err
        built[feed] = ((out / "products.csv").read_text(), (out / "sizes.csv").read_text())

    assert built[CLASSIC] == built[CURRENT]


def test_a_problem_in_the_current_layout_names_its_own_column(tmp_path, cli):
    feed = edited_feed(
        tmp_path,
        CURRENT,
        lambda t: t.replace(",KS-102-M,,M,,,34.00,", ",KS-102-M,,M,,,thirty-four,", 1),
    )
    line = line_of(feed, "thirty-four")

    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )

    assert code == 2
    assert f"line {line}, field 'Price'" in err


def test_stock_in_the_current_layout_follows_inventory_quantity(tmp_path, cli):
    def sold_out(text: str) -> str:
        # Every variant of the everyday knee sleeve down to 0, not kept on sale.
        return "\n".join(
            line.replace(",12,FALSE,", ",0,FALSE,") if ",KS-101-" in line else line
            for line in text.split("\n")
        )

    feed = edited_feed(tmp_path, CURRENT, sold_out)
    out = tmp_path / "o"

    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)

    assert code == 0, err
    with (out / "products.csv").open(encoding="utf-8") as handle:
        stock = {row["sku"]: row["in_stock"] for row in csv.DictReader(handle)}
    assert stock["kinetra-everyday-knee-sleeve"] == "false"
    assert stock["stridewell-run-knee-sleeve"] == "true"
