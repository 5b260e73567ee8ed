"""Pictures and shop links in the catalog: every bundled product has a picture the app serves
itself, a path outside images/ is refused with file, row and column, and a missing picture is
a warning (the card shows a placeholder), not a refusal."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.catalog.labels import CATEGORY_LABELS, category_label
from recommender.catalog.pictures import PLACEHOLDER, card_thumbnail, picture_source
from recommender.catalog.products import CATEGORIES, load_catalog
from recommender.catalog.validation import catalog_check
from tests.conftest import CATALOG_DIR

REPO = Path(__file__).resolve().parents[2]


def test_every_bundled_product_has_its_own_picture_file_and_a_shop_page():
    products = load_catalog(CATALOG_DIR).products
    for sku, image, url in zip(products["sku"], products["image"], products["url"], strict=True):
        source = picture_source(CATALOG_DIR, image)
        assert source != PLACEHOLDER and Path(source).name == f"{sku}.png"
        assert url.startswith("https://")
    assert catalog_check(CATALOG_DIR) == ([], [])


def test_every_category_reads_like_words():
    assert set(CATEGORY_LABELS) == set(CATEGORIES)
    assert category_label("hot_cold_therapy") == "Hot and cold therapy"


def _set_cell(catalog: Path, sku: str, column: str, value: str) -> int:
    """Put `value` in the product's `column`; returns the row as a spreadsheet numbers it."""
    path = catalog / "products.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    for row, line in enumerate(lines[1:], start=2):
        if line.startswith(f"{sku},"):
            cells = line.split(",")
            cells[header.index(column)] = value
            lines[row - 1] = ",".join(cells)
            path.write_text("\n".join(lines) + "\n")
            return row
    raise AssertionError(sku)


@pytest.mark.parametrize(
    "path", ["../products.csv", "/etc/passwd", "images/../../secret.png", "pictures/KS-101.png"]
)
def test_a_picture_path_outside_the_images_folder_is_refused_by_file_row_and_column(
    catalog_copy, path
):
    row = _set_cell(catalog_copy, "KS-102", "image", path)
    problems, _ = catalog_check(catalog_copy)
    assert any(
        p.startswith(f"products.csv row {row}, column 'image'") and "images/" in p for p in problems
    ), problems


def test_a_plain_http_picture_address_and_a_shop_link_without_a_host_are_refused(catalog_copy):
    row = _set_cell(catalog_copy, "KS-101", "image", "http://cdn.example/a.png")
    other = _set_cell(catalog_copy, "KS-103", "url", "javascript:alert(1)")
    problems, _ = catalog_check(catalog_copy)
    assert any(f"row {row}, column 'image'" in p and "https://" in p for p in problems)
    assert any(f"row {other}, column 'url'" in p for p in problems)


def test_a_product_without_a_picture_is_a_warning_and_shows_the_placeholder(catalog_copy):
    row = _set_cell(catalog_copy, "KS-101", "image", "")
    (catalog_copy / "images" / "KS-102.png").unlink()
    problems, warnings = catalog_check(catalog_copy)
    assert problems == []
    assert any(f"row {row}, column 'image': no picture for KS-101" in w for w in warnings)
    assert any("KS-102" in w and "is not a file" in w for w in warnings)
    assert picture_source(catalog_copy, "images/KS-102.png") == PLACEHOLDER


def test_a_file_that_is_not_a_picture_is_refused(catalog_copy):
    (catalog_copy / "images" / "KS-101.png").write_text("<svg onload=alert(1)>")
    problems, _ = catalog_check(catalog_copy)
    assert any("images/KS-101.png is not a PNG, JPEG or WebP picture" in p for p in problems)


def test_a_card_shows_the_picture_shrunk_to_its_width_or_the_placeholder(catalog_copy):
    from PIL import Image

    shrunk = Image.open(io.BytesIO(card_thumbnail(catalog_copy / "images" / "KS-101.png", 160)))
    assert shrunk.format == "PNG" and shrunk.size == (160, 120)  # 480 x 360, kept in proportion
    broken = catalog_copy / "images" / "KS-102.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n then nothing a picture needs")
    assert card_thumbnail(broken, 160) == card_thumbnail(PLACEHOLDER, 160)


def test_validate_prints_warnings_and_exits_0_and_names_a_bad_path_with_exit_2(catalog_copy):
    _set_cell(catalog_copy, "KS-101", "image", "")
    command = [sys.executable, "-m", "recommender_cli.main", "catalog", "validate"]
    done = subprocess.run(
        [*command, str(catalog_copy)], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "warning: products.csv row 2, column 'image': no picture for KS-101" in done.stderr
    _set_cell(catalog_copy, "KS-102", "image", "../weights.toml")
    done = subprocess.run(
        [*command, str(catalog_copy)], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert done.returncode == 2
    assert "products.csv row 3, column 'image'" in done.stderr
    assert "Traceback" not in done.stderr
