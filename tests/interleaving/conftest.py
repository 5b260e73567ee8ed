"""Fixtures for interleaving: a shop with its own catalog copy, store and model registry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recommender.settings import Settings
from recommender.shopper.ranker import Pairs
from tests.conftest import use_private_shop


class ScoresByName:
    """A candidate model with its own idea of order: it prefers products late in the alphabet."""

    name = "m-by-name"

    def score(self, pairs: Pairs) -> list[float]:
        candidates = pairs.candidates
        names = candidates["name"].rank(method="first")
        return (names / (len(candidates) + 1)).to_list()


class LovesUnsafeProducts:
    """A hostile candidate that gives its top score to every compression or magnetic product."""

    name = "m-hostile"

    def score(self, pairs):
        candidates = pairs.candidates
        return (candidates["compression"] | candidates["magnetic"]).to_numpy(float)


@pytest.fixture
def shop_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings (and environment) for a private catalog copy, an empty store and registry."""
    use_private_shop(tmp_path, monkeypatch)
    return Settings.from_env()


def set_knob(settings: Settings, key: str, value: str) -> None:
    """Rewrite one `[experiment]` or `[blend]` line of the copied weights.toml."""
    path = settings.catalog_dir / "weights.toml"
    lines = [
        f"{key} = {value}" if line.split("=")[0].strip() == key else line
        for line in path.read_text().splitlines()
    ]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def with_model(shop_dirs: Settings, trained_registry: tuple[Path, str]) -> str:
    """The shop's registry holds the trained model (nothing promoted); returns its id."""
    folder, model_id = trained_registry
    shutil.copytree(folder, shop_dirs.models_dir)
    return model_id
