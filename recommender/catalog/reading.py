"""Reading a catalog file within its size cap, with the problem named for a merchandiser."""

from __future__ import annotations

from pathlib import Path

from recommender.errors import CatalogError
from recommender.files import UnreadableFile, read_bounded

__all__ = ["decode_csv", "read_catalog_file"]


def read_catalog_file(path: Path, cap: int, kind: str = "") -> bytes:
    """A catalog file's bytes; `CatalogError` naming the file when it cannot be read or is
    over `cap` (with `kind`, a folder in its place is named as such)."""
    try:
        return read_bounded(path, cap, kind)
    except UnreadableFile as refused:
        if refused.missing:
            raise CatalogError([f"{path}: {refused.problem}"]) from None
        where = f" ({path})" if refused.folder else ""
        raise CatalogError([f"{path.name}: {refused.problem}{where}"]) from None


def decode_csv(raw: bytes, name: str) -> str:
    """UTF-8 text (a spreadsheet's byte-order mark dropped); `CatalogError` naming the row."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        raise CatalogError([f"{name} row {row}: not UTF-8 text (save the file as UTF-8)"]) from None
