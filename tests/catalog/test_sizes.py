"""Sizes and fit (SPEC sections 4 and 8): the card names the size that fits, between sizes the
note says so, and a product no size fits is held back saying which measurement and sizes."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.catalog.products import load_catalog
from recommender.catalog.sizes import SIZES_FILE
from recommender.catalog.validation import catalog_problems
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, load_engine
from tests.conftest import CATALOG_DIR
from tests.strategies import raw_answers

ENGINE = load_engine(CATALOG_DIR)


def _result(**answers):
    return ENGINE.recommend(parse_answers({"schema_version": 1, **answers}), MAX_K)


def _item(result, sku):
    return next(item for item in result.items if item.sku == sku)


def test_a_shopper_with_a_36_cm_knee_is_told_size_m_of_the_everyday_sleeve():
    result = _result(pain_areas=["knee"], measurements={"knee_cm": 35})
    sleeve = _item(result, "KS-101")  # S 30-33, M 33.5-36.5
    assert sleeve.size is not None and sleeve.size.size == "M"
    assert sleeve.size.note is None
    assert result.to_json_dict()["items"][0]["size"] == {"size": "M", "note": None}


def test_between_two_sizes_the_card_names_both_and_suggests_the_roomier():
    sleeve = _item(_result(pain_areas=["knee"], measurements={"knee_cm": 33.2}), "KS-101")
    assert sleeve.size.size == "M"
    assert "between S and M" in sleeve.size.note


def test_at_the_top_of_the_largest_size_the_note_says_so():
    sleeve = _item(_result(pain_areas=["knee"], measurements={"knee_cm": 43.8}), "KS-101")
    assert sleeve.size.size == "XL" and "largest size" in sleeve.size.note


def test_no_measurement_or_a_one_size_product_has_no_size():
    plain = _result(pain_areas=["knee"])
    assert all(item.size is None for item in plain.items)
    measured = _result(pain_areas=["knee"], measurements={"knee_cm": 35})
    strap = _item(measured, "KT-301")  # knee straps are one size
    assert strap.size is None
    # A measurement the product is not sized by says nothing about it.
    assert _item(_result(pain_areas=["knee"], measurements={"waist_cm": 90}), "KS-101").size is None


def test_a_50_cm_knee_holds_back_the_sleeves_naming_the_measurement_and_the_sizes():
    result = _result(pain_areas=["knee"], measurements={"knee_cm": 50})
    shown = {item.sku for item in result.items}
    assert "KS-101" not in shown
    why = next(e.why for e in result.excluded if e.sku == "KS-101")
    assert "50 cm knee" in why
    assert "S (30 to 33 cm)" in why and "XL (40.5 to 44 cm)" in why
    # The hinged brace goes up to 51 cm, so it is still offered, in its largest size.
    assert _item(result, "KH-201").size.size == "XL"


def test_a_caution_keeps_its_own_reason_when_no_size_fits_either():
    result = _result(
        pain_areas=["knee"], conditions=["poor_circulation"], measurements={"knee_cm": 50}
    )
    why = next(e.why for e in result.excluded if e.sku == "KS-101")
    assert "circulation" in why


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_answers(red_flags=False))
def test_a_product_held_back_for_its_size_never_shows(raw):
    result = ENGINE.recommend(parse_answers({"schema_version": 1, **raw}), MAX_K)
    held = {e.sku for e in result.excluded if "no size fits" in e.why}
    assert not held & {item.sku for item in result.items}
    for item in result.items:  # and every size shown really fits what the shopper gave
        if item.size is not None:
            assert item.size.size in ENGINE.catalog.sizes.sizes_of(item.sku)


@given(value=st.floats(min_value=20, max_value=80, allow_nan=False))
def test_a_knee_measurement_either_fits_a_size_or_says_why_not(value):
    found = ENGINE.catalog.sizes.fit("KS-101", {"knee_cm": value})
    if 30 <= value <= 44:
        assert found.size in ("S", "M", "L", "XL")
    else:
        assert "no size fits" in found.why


def test_every_bundled_product_that_comes_in_sizes_has_no_gaps_wider_than_a_centimetre():
    sizes = load_catalog(CATALOG_DIR).sizes
    assert len(sizes.sized_skus) >= 25
    by_product: dict[tuple[str, str], list] = {}
    for size in sizes.ranges:
        by_product.setdefault((size.sku, size.measure), []).append(size)
    for ranges in by_product.values():
        ranges.sort(key=lambda r: r.low)
        for smaller, larger in pairwise(ranges):
            assert 0 < larger.low - smaller.high <= 1.0, (smaller, larger)


def test_a_bad_sizes_file_is_refused_with_file_row_and_column(catalog_copy):
    (catalog_copy / SIZES_FILE).write_text(
        "sku,size,measure,min,max\n"
        "KS-101,S,knee_cm,30,33\n"
        "KS-101,M,knee_cm,32,36\n"  # row 3 overlaps row 2
        "XX-999,M,knee_cm,30,33\n"  # row 4: no such product
        "KS-102,M,neck_cm,30,33\n"  # row 5: no such measure
        "KS-103,M,knee_cm,40,33\n"  # row 6: min above max
        "KS-104,M,knee_cm,abc,33\n"  # row 7: not a number
    )
    problems = catalog_problems(catalog_copy)
    assert any("sizes.csv row 3, column 'min'" in p and "overlaps size S" in p for p in problems)
    assert any("sizes.csv row 4, column 'sku'" in p and "XX-999" in p for p in problems)
    assert any("sizes.csv row 5, column 'measure'" in p and "neck_cm" in p for p in problems)
    assert any("sizes.csv row 6, column 'max'" in p and "below min" in p for p in problems)
    assert any("sizes.csv row 7, column 'min'" in p and "not a number" in p for p in problems)
    assert len([p for p in problems if p.startswith("sizes.csv")]) == 5


def test_a_sizes_file_missing_a_column_is_named(catalog_copy):
    (catalog_copy / SIZES_FILE).write_text("sku,size,min,max\nKS-101,S,30,33\n")
    assert "sizes.csv: missing column 'measure'" in catalog_problems(catalog_copy)


def test_without_a_sizes_file_every_product_comes_in_one_size(catalog_copy):
    (catalog_copy / SIZES_FILE).unlink()
    engine = load_engine(catalog_copy)
    result = engine.recommend(
        parse_answers({"pain_areas": ["knee"], "measurements": {"knee_cm": 60}})
    )
    assert result.items and all(item.size is None for item in result.items)
