"""Fixtures for the feed import tests: example feeds (the private copy of the catalog,
`catalog_dir`, is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender_cli.main import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = Path(__file__).resolve().parent / "examples"
MAPPING = REPO / "catalog" / "feed-mapping.toml"
FEEDS = (
    "merchant-center.tsv",
    "merchant-center.xml",
    "shopify-products.csv",
    "shopify-products-current.csv",
)


@pytest.fixture
def cli(capsys):
    """Run `recommender ARGS...`; return (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def edited_feed(tmp_path: Path, name: str, edit) -> Path:
    """A copy of example feed `name` with `edit(text) -> text` applied."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text, "the edit must change the feed"
    path = tmp_path / name
    path.write_text(changed, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """The first line of `path` holding `needle` (1-based, as editors count)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
