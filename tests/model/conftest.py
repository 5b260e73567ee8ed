"""Model-test fixtures; the small simulated shop and its model (`small_shop_frames`,
`small_model`) are the suite's own, in tests/conftest.py, as the API's process tests use them too."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.settings import Settings


@pytest.fixture
def models_settings(tmp_path: Path) -> Settings:
    """Settings whose model registry is an empty folder of this test's own."""
    return Settings.from_env({"RECOMMENDER_MODELS": str(tmp_path / "models")}, cwd=tmp_path)
