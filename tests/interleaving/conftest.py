"""Fixtures for interleaving: a shop with its own catalog copy, store and model registry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recommender.settings import Settings
from recommender.shopper.ranker import Pairs
from tests.conftest import CATALOG_DIR, use_private_shop


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


@pytest.fixture(scope="session")
def trained_registry(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A registry folder holding one model trained on a small simulated store, and its id."""
    from recommender.feedback import FeedbackStore, import_feedback
    from recommender.shopper.engine import load_engine
    from training.pipeline import train_candidate
    from training.simulate import simulate, write_simulation

    base = tmp_path_factory.mktemp("trained")
    write_simulation(simulate(load_engine(CATALOG_DIR), 1500, seed=3), base / "sim")
    url = f"sqlite:///{base / 'feedback.db'}"
    with FeedbackStore.open(url) as store:
        import_feedback(store, base / "sim" / "sessions.csv", base / "sim" / "events.csv")
    settings = Settings(db_url=url, catalog_dir=CATALOG_DIR, models_dir=base / "models")
    report = train_candidate(settings, seed=0)
    return base / "models", report.card.model_id


@pytest.fixture
def with_model(shop_dirs: Settings, trained_registry: tuple[Path, str]) -> str:
    """The shop's registry holds the trained model (nothing promoted); returns its id."""
    folder, model_id = trained_registry
    shutil.copytree(folder, shop_dirs.models_dir)
    return model_id
