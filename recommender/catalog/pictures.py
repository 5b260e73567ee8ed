"""Product pictures and shop links: the catalog's `image` and `url` columns (issue 11).

`image` is a file under the catalog's `images/` folder (`images/KS-101.png`) or an https
address; `url` is the product's page in the shop (an http or https address). The app serves
picture files itself, so a shopper's browser only ever asks another host for a picture when the
catalog names an address. A path that could reach outside `images/` is refused by
`catalog validate`; a product with no picture shows a neutral placeholder and validate warns.
"""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pandas as pd

IMAGES_FOLDER = "images"
PICTURE_TYPES = (".png", ".jpg", ".jpeg", ".webp")
MAX_PICTURE_BYTES = 2 * 1024 * 1024  # a product photo for a card needs far less
MAX_ADDRESS_CHARS = 2000
# The first bytes of each picture type, so a renamed file of another kind is caught.
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF")
PLACEHOLDER = Path(__file__).resolve().parents[2] / "assets" / "product-placeholder.png"


def is_address(cell: str) -> bool:
    """Whether a picture cell is a web address rather than a file under `images/`."""
    return cell.startswith(("https://", "http://"))


def image_problem(cell: str) -> str | None:
    """What is wrong with an `image` cell's form, or None (empty means: no picture yet)."""
    if not cell:
        return None
    if len(cell) > MAX_ADDRESS_CHARS:
        return f"is longer than {MAX_ADDRESS_CHARS} characters"
    if is_address(cell):
        if not cell.startswith("https://") or not urlsplit(cell).hostname:
            return f"'{cell[:60]}' must be an https:// address with a host"
        return None
    path = PurePosixPath(cell)
    inside = (
        not path.is_absolute()
        and "\\" not in cell
        and len(path.parts) >= 2
        and path.parts[0] == IMAGES_FOLDER
        and ".." not in path.parts
    )
    if not inside:
        return f"'{cell[:60]}' must be a file under {IMAGES_FOLDER}/ (e.g. images/KS-101.png)"
    if path.suffix.lower() not in PICTURE_TYPES:
        return f"'{cell[:60]}' must be a {', '.join(PICTURE_TYPES)} picture"
    return None


def url_problem(cell: str) -> str | None:
    """What is wrong with a `url` cell, or None (empty means: no shop page)."""
    if not cell:
        return None
    parts = urlsplit(cell[:MAX_ADDRESS_CHARS])
    if len(cell) > MAX_ADDRESS_CHARS or parts.scheme not in ("https", "http") or not parts.hostname:
        return f"'{cell[:60]}' must be an http:// or https:// address of the product's page"
    return None


def picture_file(catalog_dir: Path, cell: str) -> Path | None:
    """The picture file a valid `image` path names, if it is really there inside images/."""
    if not cell or is_address(cell) or image_problem(cell):
        return None
    folder = (Path(catalog_dir) / IMAGES_FOLDER).resolve()
    path = (Path(catalog_dir) / cell).resolve()
    # resolve() follows links, so a link inside images/ pointing elsewhere is not served.
    if not path.is_relative_to(folder) or not path.is_file():
        return None
    return path


def picture_source(catalog_dir: Path, cell: str) -> str | Path:
    """What a card shows: the catalog's picture address or file, else the placeholder."""
    if cell and is_address(cell) and image_problem(cell) is None:
        return cell
    path = picture_file(catalog_dir, cell)
    if path is None or path.stat().st_size > MAX_PICTURE_BYTES:
        return PLACEHOLDER
    return path


def card_thumbnail(path: Path, width: int) -> bytes:
    """The picture file as PNG bytes at most `width` pixels wide (the placeholder if the file
    cannot be read as a picture). Done once per file by the app's cache: shrinking on every
    results page cost each card a decode, a resize and an encode."""
    from PIL import Image, UnidentifiedImageError  # Pillow comes with Streamlit

    try:
        with Image.open(path) as picture:
            picture.load()
            shown = picture.copy()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        if path == PLACEHOLDER:
            raise
        return card_thumbnail(PLACEHOLDER, width)
    if shown.width > width:
        height = round(shown.height * width / shown.width)
        shown = shown.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    shown.save(out, format="PNG")
    return out.getvalue()


def picture_checks(catalog_dir: Path, products: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(problems, warnings) about the picture files products.csv names, with row and column.

    A file that is too big or not a picture is a problem; a product without a picture (empty
    cell or a missing file) is only a warning, since the card shows a placeholder.
    """
    problems: list[str] = []
    warnings: list[str] = []
    cells = products["image"] if "image" in products else pd.Series([""] * len(products))
    for row, (sku, cell) in enumerate(zip(products["sku"], cells, strict=True), start=2):
        where = f"products.csv row {row}, column 'image'"
        cell = str(cell or "")
        if is_address(cell):
            continue
        path = picture_file(catalog_dir, cell)
        if path is None:
            what = "no picture" if not cell else f"'{cell[:60]}' is not a file"
            warnings.append(f"{where}: {what} for {sku}; shoppers see a placeholder")
            continue
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
        if size > MAX_PICTURE_BYTES:
            problems.append(
                f"{where}: {cell} is larger than the {MAX_PICTURE_BYTES:,} bytes allowed"
            )
        elif not head.startswith(_MAGIC):
            problems.append(f"{where}: {cell} is not a PNG, JPEG or WebP picture")
    return problems, warnings
