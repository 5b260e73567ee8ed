"""Fixtures for the catalog tests: a private copy of the bundled catalog to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CATALOG_DIR


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A copy of the bundled catalog folder in `tmp_path`, for a test to edit."""
    shutil.copytree(CATALOG_DIR, tmp_path / "catalog")
    return tmp_path / "catalog"
