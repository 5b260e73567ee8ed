"""API fixtures: an app over a copy of the bundled catalog and an empty feedback store.

Every store-backed test runs on SQLite, and on PostgreSQL too when RECOMMENDER_TEST_PG_URL is
set (`source .ci/postgres.sh`), like the feedback-store tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from recommender.api import create_app
from recommender.settings import Settings
from tests.conftest import CATALOG_DIR

KEY = "checkout-key-7f3a"
OTHER_KEY = "reporting:reporting-key-91c2"  # a named key: its sessions say "reporting"
# The tests that are not about the rate send as many requests as they like.
UNLIMITED = 1_000_000
BEARER = {"Authorization": f"Bearer {KEY}"}
OTHER_BEARER = {"Authorization": "Bearer reporting-key-91c2"}


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, copy)
    return copy


@pytest.fixture
def api_settings(store_url: str, catalog_dir: Path, tmp_path: Path) -> Settings:
    # No exploration unless a test asks: the shown order is then the engine's own.
    return Settings(
        db_url=store_url,
        catalog_dir=catalog_dir,
        models_dir=tmp_path / "models",
        explore_share=0.0,
    )


@pytest.fixture
def make_client(api_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A client for an app with these settings changed (e.g. explore_share=1.0)."""
    clients: list[TestClient] = []

    def make(
        keys: tuple[str, ...] = (KEY, OTHER_KEY),
        rate_per_minute: int = UNLIMITED,
        **changes: object,
    ) -> TestClient:
        # recheck_seconds=0: a file changed by a test shows on the very next request.
        app = create_app(
            replace(api_settings, **changes),
            api_keys=keys,
            recheck_seconds=0,
            rate_per_minute=rate_per_minute,
        )
        # As `serve` does at start: the store is open before the first shopper comes.
        app.state.worker.writer()
        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.app.state.worker.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
