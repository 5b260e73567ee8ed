"""A routine feed import that would weaken safety, or gut the catalog, stops and asks.

Each story runs the real command against a private copy of the live catalog. A refusal exits 2
naming each SKU and property, and leaves every stored file and the audit log as they were; the
same feed with `--accept-changes` is saved, and the acceptance is in the version's note.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from recommender.merchandising.history import history
from tests.feed.conftest import MAPPING, edited_feed

TSV = "merchant-center.tsv"
# Six of the 48 products (12.5%, over the 10% default), from categories that keep others.
DROPPED = ("KS-101", "BB-501", "OI-111", "OI-112", "HC-133", "PC-701")


def _stored(catalog_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(catalog_dir).as_posix(): path.read_bytes()
        for path in sorted(catalog_dir.rglob("*"))
        if path.is_file()
    }


def heat_pack_safety_off(text: str) -> str:
    # The reviewer's feed: product details saying heat and cold are false for a heat pack.
    return re.sub(
        r"^(HC-131\t.*)Safety:heat:true,Safety:cold:true",
        r"\1Safety:heat:false,Safety:cold:false",
        text,
        flags=re.M,
    )


def six_products_dropped(text: str) -> str:
    return "".join(
        line for line in text.splitlines(keepends=True) if line.split("\t")[1] not in DROPPED
    )


def every_price_a_penny(text: str) -> str:
    return re.sub(r"\t\d+\.\d\d GBP\t", "\t0.01 GBP\t", text)


def nothing_in_stock(text: str) -> str:
    return text.replace("\tin_stock\t", "\tout_of_stock\t")


REFUSED = {
    "safety turned off": (
        heat_pack_safety_off,
        ["HC-131: heat turned from true to false", "HC-131: cold turned from true to false"],
    ),
    "products dropped": (
        six_products_dropped,
        ["6 of 48 products removed (12%", "RECOMMENDER_FEED_MAX_REMOVED_SHARE", *DROPPED],
    ),
    "prices crashed": (
        every_price_a_penny,
        ["48 of 48 prices fall by more than half", "HC-131 15.00 -> 0.01"],
    ),
    "nothing in stock": (nothing_in_stock, ["every one of the feed's 48 products is out of stock"]),
}


@pytest.mark.parametrize("story", list(REFUSED))
def test_a_weakening_feed_is_refused_by_sku_and_nothing_stored_changes(
    story, catalog_dir, tmp_path, cli
):
    edit, named = REFUSED[story]
    feed = edited_feed(tmp_path, TSV, edit)
    before = _stored(catalog_dir)

    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--who", "mo")

    assert code == 2
    for words in named:
        assert words in err
    assert "--accept-changes" in err and "nothing was saved" in err
    assert "Traceback" not in err
    assert _stored(catalog_dir) == before
    assert history(catalog_dir) == ()


@pytest.mark.parametrize("story", list(REFUSED))
def test_the_same_feed_is_saved_with_accept_changes_and_the_acceptance_is_recorded(
    story, catalog_dir, tmp_path, cli
):
    edit, named = REFUSED[story]
    feed = edited_feed(tmp_path, TSV, edit)

    code, out, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--who", "mo", "--accept-changes"
    )

    assert code == 0, err
    latest = history(catalog_dir)[-1]
    assert (latest.action, latest.who) == ("import", "mo")
    assert "changes accepted with --accept-changes by mo" in latest.note
    assert named[0] in latest.note
    assert "accepted:" in err and "change:" in out


def test_the_report_names_each_change_by_sku_even_when_nothing_needs_accepting(
    catalog_dir, tmp_path, cli
):
    def small_changes(text: str) -> str:
        text = re.sub(r"^(KS-102-[SML]\t.*)\t34\.00 GBP\t", r"\1\t36.00 GBP\t", text, flags=re.M)
        return re.sub(r"^(KS-103-[SML]\t.*)\tin_stock\t", r"\1\tout_of_stock\t", text, flags=re.M)

    feed = edited_feed(tmp_path, TSV, small_changes)

    code, out, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING)

    assert code == 0, err
    assert "price changes (1): KS-102 34.00 -> 36.00" in out
    assert "stock changes (1): KS-103 in stock -> out of stock" in out


def test_the_shares_are_settings(catalog_dir, tmp_path, cli, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_FEED_MAX_REMOVED_SHARE", "0.2")
    feed = edited_feed(tmp_path, TSV, six_products_dropped)

    code, out, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING)

    assert code == 0, err
    assert "removed (6): KS-101, BB-501" in out
    monkeypatch.setenv("RECOMMENDER_FEED_MAX_PRICE_DROP_SHARE", "half")
    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING)
    assert code == 2 and "RECOMMENDER_FEED_MAX_PRICE_DROP_SHARE" in err


@pytest.mark.parametrize(
    "feed_name, edit, named",
    [
        (
            "merchant-center.tsv",
            lambda t: t.replace(
                "\tKinetra Everyday Knee Sleeve - S\t",
                '\t=HYPERLINK("http://evil.example","Kinetra")\t',
            ),
            "line 2, field 'title'",
        ),
        (
            "merchant-center.xml",
            lambda t: t.replace(
                "<title>Kinetra Everyday Knee Sleeve - S</title>", "<title>@SUM(1+1)</title>"
            ),
            "field 'title'",
        ),
        (
            "shopify-products.csv",
            lambda t: t.replace("KS-101-S,", "=1+1,", 1),
            "field 'Variant SKU'",
        ),
    ],
    ids=["TSV title =HYPERLINK", "RSS title @SUM", "Shopify id =1+1"],
)
def test_formula_cells_are_refused_by_line_and_field(
    feed_name, edit, named, catalog_dir, tmp_path, cli
):
    feed = edited_feed(tmp_path, feed_name, edit)
    out_dir = tmp_path / "try"
    before = _stored(catalog_dir)

    for where in ((), ("--out", out_dir)):
        code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, *where)
        assert code == 2
        assert named in err and "would run as a formula" in err

    assert _stored(catalog_dir) == before
    assert not out_dir.exists()


def test_a_negative_stock_count_is_a_number_not_a_formula(tmp_path, cli):
    # Shopify counts oversold stock below zero; that is a number, read as out of stock.
    feed = edited_feed(
        tmp_path, "shopify-products.csv", lambda t: t.replace(",shopify,12,", ",shopify,-3,", 1)
    )

    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )

    assert code == 0, err
