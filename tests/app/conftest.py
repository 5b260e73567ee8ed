"""AppTest fixtures: the real app on the bundled catalog, a fresh SQLite store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
# Generous: the first run loads the catalog and builds the engine on a shared machine.
TIMEOUT = 60


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    monkeypatch.setenv("RECOMMENDER_DB", url)
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(ROOT / "catalog"))
    monkeypatch.setenv("RECOMMENDER_MODELS", str(tmp_path / "models"))
    monkeypatch.setenv("RECOMMENDER_EXPLORE_SHARE", "0")
    return url


@pytest.fixture
def app(db_url: str) -> Iterator[AppTest]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    st.cache_data.clear()
    st.cache_resource.clear()
