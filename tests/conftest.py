"""Fixtures shared across the suite: the bundled catalog's engine, a shopper helper, a private
copy of the catalog for tests that save to it, and an empty feedback store on every backend.

Store-backed tests run on SQLite, and on PostgreSQL too when RECOMMENDER_TEST_PG_URL is set
(`source .ci/postgres.sh`); each PostgreSQL test gets a fresh schema, dropped afterwards."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.feedback import FeedbackStore
from recommender.feedback.scratch import scratch_schema
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import Engine, load_engine
from recommender.shopper.result import Result

REPO = Path(__file__).resolve().parents[1]
CATALOG_DIR = REPO / "catalog"
ARTICLE = REPO.parent / "shared" / "article.txt"
PG_URL = os.environ.get("RECOMMENDER_TEST_PG_URL", "")
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="RECOMMENDER_TEST_PG_URL is not set"),
        ],
    ),
]


@pytest.fixture(scope="session")
def engine() -> Engine:
    return load_engine(CATALOG_DIR)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty feedback database (not yet created), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.db'}"
        return
    with scratch_schema(PG_URL, "test") as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[FeedbackStore]:
    """An empty feedback store at `store_url`, open for the test."""
    with FeedbackStore.open(store_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def shop(engine: Engine):
    """Recommend for raw answers, the way a shopper's form submits them."""

    def recommend(k: int = 5, **raw) -> Result:
        return engine.recommend(parse_answers(raw), k)

    return recommend


@pytest.fixture
def catalog_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the catalog (no saved history), with every setting pointing into
    `tmp_path`: tests that save weights, stock or models never touch the real ones."""
    return use_private_shop(tmp_path, monkeypatch)


@pytest.fixture(autouse=True)
def fresh_signin_guard():
    """Every test starts with no sign-in failures on record: the guard is process-wide."""
    from recommender.shop.signin_guard import reset_shared_guard

    reset_shared_guard()
    yield
    reset_shared_guard()


def use_private_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the environment at a private copy of the bundled catalog, an empty model registry
    and an empty store, all in `tmp_path`; return the catalog copy."""
    directory = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, directory, ignore=shutil.ignore_patterns(".history"))
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(directory))
    monkeypatch.setenv("RECOMMENDER_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("RECOMMENDER_DB", f"sqlite:///{tmp_path / 'feedback.db'}")
    return directory
