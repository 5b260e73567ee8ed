"""Fixtures for the merchandising tests: a private copy of the catalog, never the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.merchandising.weights_store import CatalogState, current_state
from recommender.shop.auth import PASSWORD_HASH_ENV, hash_password
from tests.conftest import use_private_shop

PASSWORD = "knee-brace-tuesday"


@pytest.fixture
def catalog_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_private_shop(tmp_path, monkeypatch)


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
