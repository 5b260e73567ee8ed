"""The bundled catalog is complete, and a broken one is refused with every problem named."""

from __future__ import annotations

import pytest

from recommender.catalog.products import CATEGORIES, load_catalog
from recommender.catalog.validation import catalog_problems
from recommender.catalog.weights import KNOBS, load_weights
from recommender.errors import CatalogError
from recommender.shopper.rules import load_rule_book
from tests.conftest import CATALOG_DIR


def test_the_bundled_catalog_has_every_category_and_at_least_forty_products():
    products = load_catalog(CATALOG_DIR, complete=True).products
    assert len(products) >= 40
    assert set(products["category"]) == set(CATEGORIES)
    assert products["sku"].is_unique


@pytest.mark.parametrize("category", ["knee_sleeve", "back_brace", "orthotic_insole"])
def test_busy_categories_offer_several_prices_and_support_levels(category):
    products = load_catalog(CATALOG_DIR).products
    busy = products[products["category"] == category]
    assert busy["price"].nunique() >= 3 and busy["support_level"].nunique() >= 2


def test_every_rule_target_matches_some_product():
    keys = set(load_rule_book().target_keys)
    carried = set().union(*load_catalog(CATALOG_DIR).tags)
    assert keys <= carried, keys - carried


def test_a_broken_products_file_reports_every_problem_with_row_and_column(catalog_copy):
    path = catalog_copy / "products.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[1]  # row 3 repeats row 2's sku
    lines[3] = lines[3].replace("knee_sleeve", "elbow_sleeve", 1)
    lines[4] = lines[4].replace(",29.00,", ",-5,", 1)
    path.write_text("\n".join(lines) + "\n")
    problems = catalog_problems(catalog_copy)
    assert any("row 3, column 'sku'" in p and "repeats row 2" in p for p in problems)
    assert any("row 4, column 'category'" in p and "elbow_sleeve" in p for p in problems)
    assert any("row 5, column 'price'" in p for p in problems)


def test_a_catalog_without_the_cold_column_is_refused_naming_it(catalog_copy):
    path = catalog_copy / "products.csv"
    rows = [line.split(",") for line in path.read_text().splitlines()]
    cold = rows[0].index("cold")
    path.write_text("\n".join(",".join(r[:cold] + r[cold + 1 :]) for r in rows) + "\n")
    with pytest.raises(CatalogError, match="missing column 'cold'"):
        load_catalog(catalog_copy)


def test_every_ice_or_cold_pack_is_marked_cold_in_the_bundled_catalog():
    products = load_catalog(CATALOG_DIR).products
    cold_words = products["features"].str.split().apply(lambda words: "cold" in words)
    assert (products["cold"] == cold_words).all()
    assert set(products.loc[products["cold"], "sku"]) == {"HC-131", "HC-132", "HC-134"}


def test_a_missing_column_is_named(catalog_copy):
    path = catalog_copy / "products.csv"
    text = path.read_text().replace(",magnetic,", ",magnet,", 1)
    path.write_text(text)
    with pytest.raises(CatalogError, match="missing column 'magnetic'"):
        load_catalog(catalog_copy)


def test_bad_weights_are_refused_whole_with_each_key_named(catalog_copy):
    (catalog_copy / "weights.toml").write_text(
        "[blend]\nrules = 2.0\nmystery = 1\n[limits]\nmax_per_category = 0\n"
        '[rule_multipliers]\nno_such_rule = 1.0\n[boosts]\n"NOPE-1" = 0.5\n"KS-101" = 9\n'
    )
    problems = catalog_problems(catalog_copy)
    for words in (
        "[blend] rules",
        "unknown key 'mystery'",
        "max_per_category",
        "no_such_rule",
        "NOPE-1",
        "KS-101",
    ):
        assert any(words in p for p in problems), words


def test_a_blend_that_counts_nothing_is_refused(catalog_copy):
    (catalog_copy / "weights.toml").write_text("[blend]\nrules = 0\nmodel = 0\nboost = 0\n")
    problems = catalog_problems(catalog_copy)
    assert problems == ["weights.toml [blend]: rules, model and boost cannot all be 0"]


def test_missing_weights_mean_the_documented_defaults(catalog_copy):
    (catalog_copy / "weights.toml").unlink()
    weights = load_weights(catalog_copy, load_rule_book().ids, ())
    assert weights.blend_rules == 1.0 and weights.max_per_category == 2


def test_one_run_lists_row_problems_and_a_missing_category_together(catalog_copy):
    path = catalog_copy / "products.csv"
    lines = path.read_text().splitlines()
    kept = [line for line in lines if ",si_belt," not in line]
    kept[1] = kept[1].replace(",24.00,", ",cheap,", 1)
    path.write_text("\n".join(kept) + "\n")
    problems = catalog_problems(catalog_copy)
    assert any("row 2, column 'price'" in p for p in problems)
    assert any("no product in category 'si_belt'" in p for p in problems)


@pytest.mark.parametrize("version", ["true", "1.0", "2"])
def test_weights_with_a_wrong_schema_version_are_refused(catalog_copy, version):
    (catalog_copy / "weights.toml").write_text(f"schema_version = {version}\n")
    problems = catalog_problems(catalog_copy)
    assert problems and all("schema_version" in p for p in problems)


def test_the_bundled_weights_file_documents_every_knob_with_its_range():
    text = (CATALOG_DIR / "weights.toml").read_text(encoding="utf-8")
    undocumented = [
        f"[{knob.section}] {knob.key}"
        for knob in KNOBS
        if f"{knob.doc[0].upper()}{knob.doc[1:]}: {knob.low:g} to {knob.high:g}" not in text
    ]
    assert not undocumented
    assert "[rule_multipliers]" in text and "[boosts]" in text
