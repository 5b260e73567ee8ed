"""Fixtures for interleaving: a shop with its own catalog copy, store and model registry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from recommender.answers import Answers
from recommender.settings import Settings
from tests.conftest import CATALOG_DIR


class ScoresByName:
    """A candidate model with its own idea of order: it prefers products late in the alphabet."""

    model_id = "m-by-name"

    def score_candidates(
        self, answers: Answers, features: frozenset[str], candidates: pd.DataFrame
    ) -> list[float]:
        names = candidates["name"].rank(method="first")
        return (names / (len(candidates) + 1)).to_list()


class LovesUnsafeProducts:
    """A hostile candidate that gives its top score to every compression or magnetic product."""

    model_id = "m-hostile"

    def score_candidates(self, answers, features, candidates):
        return (candidates["compression"] | candidates["magnetic"]).to_numpy(float)


@pytest.fixture
def shop_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings (and environment) for a private catalog copy, an empty store and registry."""
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, catalog, ignore=shutil.ignore_patterns(".history"))
    env = {
        "RECOMMENDER_DB": f"sqlite:///{tmp_path / 'feedback.db'}",
        "RECOMMENDER_MODELS": str(tmp_path / "models"),
        "RECOMMENDER_CATALOG": str(catalog),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def set_knob(settings: Settings, key: str, value: str) -> None:
    """Rewrite one `[experiment]` or `[blend]` line of the copied weights.toml."""
    path = settings.catalog_dir / "weights.toml"
    lines = [
        f"{key} = {value}" if line.split("=")[0].strip() == key else line
        for line in path.read_text().splitlines()
    ]
    path.write_text("\n".join(lines) + "\n")
