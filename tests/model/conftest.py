"""A small simulated shop for the model tests (the engine is the suite's own): its logged
sessions as a ranking dataset and a model fitted on them, small so the folder runs quickly."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.model.learned import LambdaRanker
from recommender.settings import Settings
from recommender.shopper.engine import Engine
from training.model import fit_ranker
from training.pipeline import Prepared, prepare_frames
from training.simulate import simulate

SESSIONS = 600


@pytest.fixture(scope="session")
def small_shop_frames(engine: Engine) -> Prepared:
    feedback = simulate(engine, SESSIONS, seed=3, explore_share=0.4)
    return prepare_frames(engine, feedback.sessions, feedback.events)


@pytest.fixture(scope="session")
def small_model(small_shop_frames: Prepared) -> LambdaRanker:
    """A small position-small_model model fitted on the simulated shop."""
    return fit_ranker(small_shop_frames.train, correction="position", seed=0, n_estimators=20)


@pytest.fixture
def models_settings(tmp_path: Path) -> Settings:
    """Settings whose model registry is an empty folder of this test's own."""
    return Settings.from_env({"RECOMMENDER_MODELS": str(tmp_path / "models")}, cwd=tmp_path)
