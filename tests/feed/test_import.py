"""A merchandiser imports the shop's product feed into the catalog.

Each story runs the real command; "nothing written" is checked on the files themselves.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from recommender.merchandising.history import history
from tests.feed.conftest import EXAMPLES, FEEDS, MAPPING, REPO, edited_feed, line_of

SIZE_COLUMNS = ["sku", "size", "measure", "min", "max"]
MEASURES = {"knee_cm", "thigh_cm", "calf_cm", "waist_cm", "shoe_eu"}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sizes_of(folder: Path, sku: str) -> list[tuple[str, str, float, float]]:
    return [
        (r["size"], r["measure"], float(r["min"]), float(r["max"]))
        for r in rows(folder / "sizes.csv")
        if r["sku"] == sku
    ]


@pytest.mark.parametrize("feed", FEEDS)
def test_each_feed_format_becomes_a_catalog_that_validate_accepts(feed, tmp_path, cli):
    out = tmp_path / "imported"
    code, stdout, err = cli(
        "catalog", "import-feed", EXAMPLES / feed, "--mapping", MAPPING, "--out", out
    )
    assert code == 0, err
    assert "136 items -> 48 products, 110 sizes" in stdout
    code, stdout, err = cli("catalog", "validate", out)
    assert code == 0, err
    products = rows(out / "products.csv")
    assert len(products) == 48
    assert all(p["image"].startswith("https://cdn.shop.example/") for p in products)
    assert all(p["url"].startswith("https://shop.example/products/") for p in products)


@pytest.mark.parametrize("feed", FEEDS)
def test_sizes_csv_has_the_spec_columns_known_skus_and_no_overlapping_ranges(feed, tmp_path, cli):
    out = tmp_path / "imported"
    assert (
        cli("catalog", "import-feed", EXAMPLES / feed, "--mapping", MAPPING, "--out", out)[0] == 0
    )
    with (out / "sizes.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == SIZE_COLUMNS
    skus = {p["sku"] for p in rows(out / "products.csv")}
    sizes = rows(out / "sizes.csv")
    assert {r["sku"] for r in sizes} <= skus
    assert {r["measure"] for r in sizes} <= MEASURES
    key = lambda r: (r["sku"], r["measure"])  # noqa: E731
    for _, ranges in itertools.groupby(sorted(sizes, key=key), key=key):
        spans = sorted((float(r["min"]), float(r["max"])) for r in ranges)
        assert all(low <= high for low, high in spans)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans)), spans


@pytest.mark.parametrize("feed", FEEDS[:2])
def test_a_merchant_center_feed_of_the_shop_gives_back_the_bundled_catalog(feed, tmp_path, cli):
    out = tmp_path / "imported"
    assert (
        cli("catalog", "import-feed", EXAMPLES / feed, "--mapping", MAPPING, "--out", out)[0] == 0
    )
    bundled = rows(REPO / "catalog" / "products.csv")
    imported = rows(out / "products.csv")
    # Pictures and pages are the shop's own addresses in a feed, local files in the bundle.
    addresses = ("image", "url")
    for before, after in zip(bundled, imported, strict=True):
        assert {k: after[k] for k in before if k not in addresses} == {
            k: v for k, v in before.items() if k not in addresses
        }


def test_variants_of_one_product_become_its_sizes(tmp_path, cli):
    out = tmp_path / "imported"
    feed = EXAMPLES / "merchant-center.xml"
    assert cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)[0] == 0
    products = {p["sku"]: p for p in rows(out / "products.csv")}
    # The everyday knee sleeve comes in four sizes; its XL is sold out, the rest are not.
    assert sizes_of(out, "KS-101") == [
        ("S", "knee_cm", 30, 34),
        ("M", "knee_cm", 34.5, 38),
        ("L", "knee_cm", 38.5, 42),
        ("XL", "knee_cm", 42.5, 47),
    ]
    assert products["KS-101"]["in_stock"] == "true"
    assert products["KS-101"]["name"] == "Kinetra Everyday Knee Sleeve"
    # Every size of the warm knit sleeve is sold out, so the product is.
    assert products["KS-104"]["in_stock"] == "false"
    # The Altoform line has its own chart (a SKU override in the mapping).
    assert [s[:1] + s[2:] for s in sizes_of(out, "KS-103")] == [
        ("S", 31, 35),
        ("M", 35.5, 39.5),
        ("L", 40, 45),
    ]
    # Two colours of each insole size make four sizes, not eight; the name drops both.
    assert [s[0] for s in sizes_of(out, "OI-113")] == [
        "EU 36-38",
        "EU 39-41",
        "EU 42-44",
        "EU 45-47",
    ]
    assert products["OI-113"]["name"] == "Stridewell Cushioned Comfort Insoles"
    # One-size products (a wrap, a cushion) are not listed in sizes.csv.
    assert sizes_of(out, "BB-503") == [] and sizes_of(out, "LC-801") == []


def test_a_shopify_export_leaves_out_drafts_and_image_rows(tmp_path, cli):
    out = tmp_path / "imported"
    feed = EXAMPLES / "shopify-products.csv"
    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)
    assert code == 0
    assert "left out 1 draft" in err
    products = {p["sku"]: p for p in rows(out / "products.csv")}
    assert "sample-heated-insole-not-for-sale-yet" not in products
    sleeve = products["kinetra-everyday-knee-sleeve"]
    assert [s[0] for s in sizes_of(out, "kinetra-everyday-knee-sleeve")] == ["S", "M", "L", "XL"]
    assert sleeve["url"] == "https://shop.example/products/kinetra-everyday-knee-sleeve"
    assert "<" not in sleeve["description"] and "Free returns" in sleeve["description"]
    # Safety from the product's metafields: the heated wrap warms.
    assert products["ardenfield-heated-back-wrap"]["heat"] == "true"


def drop_heat_of(sku: str):
    def edit(text: str) -> str:
        lines = text.split("\n")
        return "\n".join(
            line.replace("Safety:heat:false,", "") if line.startswith(f"{sku}-") else line
            for line in lines
        )

    return edit


def test_a_product_with_an_unknown_safety_property_is_refused_by_line(tmp_path, cli):
    out = tmp_path / "imported"
    feed = edited_feed(tmp_path, "merchant-center.tsv", drop_heat_of("KS-102"))
    code, stdout, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)
    assert code == 2
    line = line_of(feed, "KS-102-S")
    assert f"merchant-center.tsv line {line}, field 'heat': 'KS-102' has unknown safety" in err
    assert "Traceback" not in err and stdout == ""
    assert not out.exists()


def test_an_unmapped_product_type_is_refused_by_line_and_nothing_is_written(
    tmp_path, cli, catalog_dir
):
    before = {p.name: p.read_bytes() for p in catalog_dir.iterdir() if p.is_file()}
    feed = edited_feed(
        tmp_path,
        "merchant-center.xml",
        lambda text: text.replace(
            "<g:product_type>Fitness &gt; Yoga</g:product_type>",
            "<g:product_type>Gifts &gt; Vouchers</g:product_type>",
        ),
    )
    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING)
    assert code == 2
    line = line_of(feed, "<g:id>YP-151</g:id>") - 1  # the item starts one line above its id
    assert f"merchant-center.xml line {line}, field 'product_type': 'Gifts > Vouchers'" in err
    after = {p.name: p.read_bytes() for p in catalog_dir.iterdir() if p.is_file()}
    assert after == before
    assert history(catalog_dir) == ()


def test_every_problem_is_listed_at_once_with_file_line_and_field(tmp_path, cli):
    def edit(text: str) -> str:
        text = drop_heat_of("KS-102")(text)
        text = text.replace("Supports > Hip\t", "Garden > Hoses\t", 1)
        return text.replace("69.00 GBP", "69.00 EUR", 1)

    feed = edited_feed(tmp_path, "merchant-center.tsv", edit)
    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )
    assert code == 2
    assert f"line {line_of(feed, 'KS-102-S')}, field 'heat'" in err
    assert f"line {line_of(feed, 'Garden > Hoses')}, field 'product_type'" in err
    euro = line_of(feed, "69.00 EUR")
    assert f"line {euro}, field 'price': '69.00 EUR' is in EUR, not the shop's currency GBP" in err
    assert not (tmp_path / "o").exists()


def test_feed_and_mapping_must_agree_on_safety_unless_the_sku_settles_it(tmp_path, cli):
    # The mapping says yoga props never warm; a feed saying one does is a conflict to resolve.
    feed_path = tmp_path / "merchant-center.tsv"
    lines = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    lines = [line + ",Safety:heat:true" if line.startswith("YP-153\t") else line for line in lines]
    feed_path.write_text("\n".join(lines), encoding="utf-8")
    code, _, err = cli(
        "catalog", "import-feed", feed_path, "--mapping", MAPPING, "--out", tmp_path / "o"
    )
    assert code == 2
    assert "field 'heat': the feed says true but the mapping for 'Fitness > Yoga' says false" in err
    settled = tmp_path / "map.toml"
    settled.write_text(MAPPING.read_text() + '\n[skus."YP-153"]\nheat = true\n', encoding="utf-8")
    code, _, err = cli(
        "catalog", "import-feed", feed_path, "--mapping", settled, "--out", tmp_path / "o"
    )
    assert code == 0, err
    bolster = next(p for p in rows(tmp_path / "o" / "products.csv") if p["sku"] == "YP-153")
    assert bolster["heat"] == "true"


def test_import_into_the_catalog_is_a_version_that_rolls_back(catalog_dir, cli):
    original = (catalog_dir / "products.csv").read_bytes()
    original_sizes = (catalog_dir / "sizes.csv").read_bytes()
    feed = EXAMPLES / "merchant-center.tsv"
    code, stdout, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--who", "mo")
    assert code == 0, err
    assert "saved as catalog version 2" in stdout
    assert (catalog_dir / "sizes.csv").is_file()
    assert [(e.version, e.action, e.who) for e in history(catalog_dir)][-1] == (2, "import", "mo")
    assert cli("catalog", "validate")[0] == 0
    code, _, err = cli("weights", "rollback")
    assert code == 0, err
    assert (catalog_dir / "products.csv").read_bytes() == original
    assert (catalog_dir / "sizes.csv").read_bytes() == original_sizes


@pytest.mark.parametrize("again", FEEDS[:2])
def test_importing_the_same_shop_again_changes_nothing(catalog_dir, cli, again):
    cli("catalog", "import-feed", EXAMPLES / "merchant-center.tsv", "--mapping", MAPPING)
    files = {p.name: p.read_bytes() for p in catalog_dir.iterdir() if p.is_file()}
    versions = history(catalog_dir)
    code, stdout, _ = cli("catalog", "import-feed", EXAMPLES / again, "--mapping", MAPPING)
    assert code == 0
    assert "already matches, unchanged" in stdout
    assert history(catalog_dir) == versions
    assert {p.name: p.read_bytes() for p in catalog_dir.iterdir() if p.is_file()} == files


def test_re_import_into_a_folder_changes_nothing(tmp_path, cli):
    out = tmp_path / "o"
    feed = EXAMPLES / "shopify-products.csv"
    cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    code, stdout, _ = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)
    assert code == 0 and "unchanged" in stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_a_boost_for_a_product_the_feed_drops_is_refused_with_nothing_changed(catalog_dir, cli):
    # The live weights boost LC-801; the Shopify shop names its products by handle instead.
    before = (catalog_dir / "products.csv").read_bytes()
    feed = EXAMPLES / "shopify-products.csv"
    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING)
    assert code == 2
    assert "do not fit the live catalog" in err and "LC-801" in err
    assert (catalog_dir / "products.csv").read_bytes() == before
    assert history(catalog_dir) == ()


def test_a_small_feed_may_go_to_a_folder_but_not_replace_the_live_catalog(
    tmp_path, cli, catalog_dir
):
    text = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    small = tmp_path / "small.tsv"
    small.write_text("\n".join(text[:9]) + "\n", encoding="utf-8")
    assert (
        cli("catalog", "import-feed", small, "--mapping", MAPPING, "--out", tmp_path / "o")[0] == 0
    )
    code, _, err = cli("catalog", "import-feed", small, "--mapping", MAPPING)
    assert code == 2
    assert "at least 40 are needed" in err
    assert history(catalog_dir) == ()


def test_variants_that_disagree_on_a_safety_property_are_refused(tmp_path, cli):
    lines = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    lines = [
        line.replace("Safety:heat:false", "Safety:heat:true")
        if line.startswith("KS-101-M\t")
        else line
        for line in lines
    ]
    feed = tmp_path / "feed.tsv"
    feed.write_text("\n".join(lines), encoding="utf-8")
    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )
    assert code == 2
    small, medium = line_of(feed, "KS-101-S"), line_of(feed, "KS-101-M")
    assert f"'KS-101' disagree (line {small}: false, line {medium}: true, " in err


def test_a_shopify_stock_count_that_is_not_a_number_is_named(tmp_path, cli):
    feed = edited_feed(
        tmp_path,
        "shopify-products.csv",
        lambda t: t.replace(",shopify,12,deny,", ",shopify,lots,deny,", 1),
    )
    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )
    assert code == 2
    # The row starts on its handle's line; its HTML description runs on to the next line.
    line = line_of(feed, "kinetra-everyday-knee-sleeve,Kinetra Everyday Knee Sleeve,")
    assert (
        f"shopify-products.csv line {line}, field 'Variant Inventory Qty': 'lots' is not a count"
        in err
    )


def test_a_huge_bad_value_is_named_but_not_echoed_whole(tmp_path, cli):
    lines = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("24.00 GBP", "9" * 50_000, 1)
    feed = tmp_path / "feed.tsv"
    feed.write_text("\n".join(lines), encoding="utf-8")
    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )
    assert code == 2
    assert "feed.tsv line 2, field 'price'" in err and "(50,000 chars)" in err
    assert len(err) < 2_000


def test_variants_filed_under_different_types_are_refused(tmp_path, cli):
    lines = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    lines = [
        line.replace("Supports > Knee > Sleeves", "Supports > Thigh")
        if line.startswith("KS-102-L\t")
        else line
        for line in lines
    ]
    feed = tmp_path / "feed.tsv"
    feed.write_text("\n".join(lines), encoding="utf-8")
    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )
    assert code == 2
    assert (
        f"feed.tsv line {line_of(feed, 'KS-102-L')}, field 'product_type': 'Supports > Thigh' "
        f"differs from line {line_of(feed, 'KS-102-S')}"
    ) in err


def test_a_feed_with_thousands_of_problems_lists_the_first_ones_and_counts_the_rest(tmp_path, cli):
    text = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8")
    feed = tmp_path / "feed.tsv"
    header, *rows = text.rstrip("\n").split("\n")
    euro = [row.replace(" GBP", " EUR") for row in rows]
    feed.write_text("\n".join([header, *euro, *(f"x{r}" for r in euro)]) + "\n", encoding="utf-8")
    code, _, err = cli(
        "catalog", "import-feed", feed, "--mapping", MAPPING, "--out", tmp_path / "o"
    )
    assert code == 2
    assert "... and 72 more problems" in err
    assert err.count("is in EUR, not the shop's currency GBP") == 200
