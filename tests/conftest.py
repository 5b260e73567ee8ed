"""Fixtures shared across the suite: the bundled catalog's engine and a shopper helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import Engine, load_engine
from recommender.shopper.result import Result

REPO = Path(__file__).resolve().parents[1]
CATALOG_DIR = REPO / "catalog"
ARTICLE = REPO.parent / "shared" / "article.txt"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return load_engine(CATALOG_DIR)


@pytest.fixture(scope="session")
def shop(engine: Engine):
    """Recommend for raw answers, the way a shopper's form submits them."""

    def recommend(k: int = 5, **raw) -> Result:
        return engine.recommend(parse_answers(raw), k)

    return recommend


@pytest.fixture(autouse=True)
def fresh_signin_guard():
    """Every test starts with no sign-in failures on record: the guard is process-wide."""
    from recommender.shop.signin_guard import reset_shared_guard

    reset_shared_guard()
    yield
    reset_shared_guard()
