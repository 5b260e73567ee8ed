"""Every problem at once: a merchandiser fixes a catalog in one pass, not one error per run."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from recommender.catalog.products import load_catalog, parse_catalog
from recommender.errors import CatalogError, ExitCode, Problems
from recommender_cli.main import main
from tests.conftest import CATALOG_DIR


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    copy = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, copy, ignore=shutil.ignore_patterns(".history"))
    return copy


def set_cells(path: Path, changes: dict[tuple[int, str], str]) -> None:
    """Write `changes` ((spreadsheet row, column) -> text) into a CSV file; the header is row 1."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for (row, column), text in changes.items():
        rows[row - 1][rows[0].index(column)] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


THREE_BAD_ROWS = {(3, "price"): "free", (5, "category"): "teapot", (9, "in_stock"): "maybe"}


def test_three_bad_rows_are_all_named_with_file_row_and_column_and_exit_2(catalog, capsys):
    set_cells(catalog / "products.csv", THREE_BAD_ROWS)
    assert main(["catalog", "validate", str(catalog)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "3 problems found:" in err
    assert "products.csv row 3, column 'price': 'free' is not a number" in err
    assert "products.csv row 5, column 'category': 'teapot' is not a known category" in err
    assert "products.csv row 9, column 'in_stock': 'maybe' must be true or false" in err
    assert "Traceback" not in err


def test_products_and_sizes_problems_come_in_one_refusal(catalog):
    set_cells(catalog / "products.csv", {(3, "price"): "-4"})
    set_cells(catalog / "sizes.csv", {(2, "min"): "wide"})
    with pytest.raises(CatalogError) as refused:
        load_catalog(catalog)
    assert refused.value.problems == [
        "products.csv row 3, column 'price': -4 must be a number above 0",
        "sizes.csv row 2, column 'min': 'wide' is not a number",
    ]
    assert refused.value.exit_code == ExitCode.BAD_INPUT


def test_a_catalog_given_as_text_loads_as_the_same_files_on_disk(catalog):
    products = (catalog / "products.csv").read_bytes()
    sizes = (catalog / "sizes.csv").read_text(encoding="utf-8")
    from_text, from_disk = parse_catalog(products, sizes), load_catalog(catalog)
    assert from_text.version == from_disk.version
    assert from_text.sizes.ranges == from_disk.sizes.ranges
    assert from_text.skus == from_disk.skus


def test_bad_text_is_refused_with_the_same_messages_as_the_file(catalog):
    set_cells(catalog / "products.csv", THREE_BAD_ROWS)
    with pytest.raises(CatalogError) as on_disk:
        load_catalog(catalog)
    with pytest.raises(CatalogError) as as_text:
        parse_catalog((catalog / "products.csv").read_bytes(), (catalog / "sizes.csv").read_text())
    assert as_text.value.problems == on_disk.value.problems
    assert len(on_disk.value.problems) == 3


def test_a_long_list_shows_the_first_problems_and_counts_the_rest():
    problems = Problems(limit=2)
    for row in range(2, 7):
        problems.at("products.csv", row, "price", "'free' is not a number")
    with pytest.raises(CatalogError) as refused:
        problems.raise_if_any()
    assert refused.value.problems == [
        "products.csv row 2, column 'price': 'free' is not a number",
        "products.csv row 3, column 'price': 'free' is not a number",
        "... and 3 more problems",
    ]


def test_no_problem_refuses_nothing():
    problems = Problems()
    problems.raise_if_any()
    assert not problems and problems.listed() == []
