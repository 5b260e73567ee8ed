"""Fixtures for the merchandising tests: staff passwords and the files as opened (the private
copy of the catalog, `catalog_dir`, is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.merchandising.proposals import CatalogState, current_state
from recommender.shop.auth import PASSWORD_HASH_ENV, hash_password

PASSWORD = "knee-brace-tuesday"


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def staff_password(password_hash: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(PASSWORD_HASH_ENV, password_hash)
    return PASSWORD


@pytest.fixture
def opened(catalog_dir: Path) -> CatalogState:
    return current_state(catalog_dir)
