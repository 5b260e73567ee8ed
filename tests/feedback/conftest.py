"""Store fixtures: every store test runs on SQLite, and on PostgreSQL when RECOMMENDER_TEST_PG_URL
is set (each PostgreSQL test gets a fresh schema, dropped afterwards)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from recommender.feedback import FeedbackStore
from recommender.feedback.scratch import scratch_schema

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


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty feedback database (not yet created)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.db'}"
        return
    with scratch_schema(PG_URL, "test") as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[FeedbackStore]:
    with FeedbackStore.open(store_url) as opened:
        yield opened
