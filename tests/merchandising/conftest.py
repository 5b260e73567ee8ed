"""Fixtures for the merchandising tests: a private copy of the catalog, never the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recommender.merchandising.proposals import CatalogState, current_state
from recommender.shop.auth import PASSWORD_HASH_ENV, hash_password

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "knee-brace-tuesday"


@pytest.fixture
def catalog_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "catalog"
    shutil.copytree(REPO / "catalog", directory, ignore=shutil.ignore_patterns(".history"))
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(directory))
    monkeypatch.setenv("RECOMMENDER_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("RECOMMENDER_DB", f"sqlite:///{tmp_path / 'feedback.db'}")
    return directory


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
