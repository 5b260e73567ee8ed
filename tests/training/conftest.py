"""Shared, once-per-run fixtures: one simulated world, its dataset, and models fitted on it.

The simulation has a known truth (hidden product qualities and tastes), strong position bias
and 40% explore sessions, so a held-out comparison has enough unbiased sessions to decide.
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from recommender.feedback import FeedbackStore, import_feedback
from recommender.model import registry
from recommender.model.learned import LambdaRanker
from recommender.settings import Settings
from recommender.shopper.engine import Engine
from training.model import fit_ranker
from training.pipeline import Prepared, TrainReport, prepare_frames, train_candidate
from training.simulate import SESSION_PREFIX, SimulatedFeedback, simulate, write_simulation

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
SESSIONS = 4000
SEED = 7
EXPLORE_SHARE = 0.4
# The once-per-run worlds below live in a worker's memory: every test that uses one runs on
# the same pytest-xdist worker, so each is simulated, trained and evaluated once, not on each.
# Two worlds, two groups (a test using both goes with the first named), so that two workers
# share them rather than one worker running minutes of training tests while the others idle.
WORLDS = {"ranked_shop": "ranked-shop", "feedback": "training-world"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups into the test ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here not in Path(item.path).parents:
            continue
        world = next((name for name in WORLDS if name in item.fixturenames), None)
        if world is not None:
            item.add_marker(pytest.mark.xdist_group(WORLDS[world]))


@pytest.fixture(scope="session")
def feedback(engine: Engine) -> SimulatedFeedback:
    return simulate(engine, SESSIONS, seed=SEED, explore_share=EXPLORE_SHARE)


@pytest.fixture(scope="session")
def prepared(engine: Engine, feedback: SimulatedFeedback) -> Prepared:
    return prepare_frames(engine, feedback.sessions, feedback.events)


@pytest.fixture(scope="session")
def corrected(prepared: Prepared) -> LambdaRanker:
    return fit_ranker(prepared.train, correction="position", seed=0)


@pytest.fixture(scope="session")
def uncorrected(prepared: Prepared) -> LambdaRanker:
    return fit_ranker(prepared.train, correction="none", seed=0)


@pytest.fixture(scope="session")
def simulated_csv(tmp_path_factory: pytest.TempPathFactory, feedback: SimulatedFeedback) -> Path:
    folder = tmp_path_factory.mktemp("simulated")
    write_simulation(feedback, folder)
    return folder


@pytest.fixture(scope="session")
def filled_db(tmp_path_factory: pytest.TempPathFactory, simulated_csv: Path) -> str:
    """A feedback store holding the simulated world (copied per test by `settings`)."""
    path = tmp_path_factory.mktemp("store") / "feedback.db"
    with FeedbackStore.open(f"sqlite:///{path}") as store:
        import_feedback(store, simulated_csv / "sessions.csv", simulated_csv / "events.csv")
    return str(path)


@pytest.fixture(scope="session")
def shop_db(tmp_path_factory: pytest.TempPathFactory, simulated_csv: Path) -> str:
    """The same world logged as if by a real shop: no session id carries the "sim-" mark."""
    folder = tmp_path_factory.mktemp("shop")
    for name in ("sessions.csv", "events.csv"):
        text = (simulated_csv / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace(SESSION_PREFIX, "shop-"), encoding="utf-8")
    path = folder / "feedback.db"
    with FeedbackStore.open(f"sqlite:///{path}") as store:
        import_feedback(store, folder / "sessions.csv", folder / "events.csv")
    return str(path)


@pytest.fixture
def settings(tmp_path: Path, filled_db: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings (and environment) with a private copy of the filled store and an empty registry."""
    return _settings_with(tmp_path, filled_db, monkeypatch)


@pytest.fixture
def shop_settings(tmp_path: Path, shop_db: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Like `settings`, with the store of a shop's own (not simulated) sessions; the one of
    the two asked for last sets the environment."""
    return _settings_with(tmp_path / "shop", shop_db, monkeypatch)


@pytest.fixture
def small_store_settings(
    tmp_path: Path, simulated_store: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Like `settings`, with a copy of the suite's smaller simulated store (1,500 sessions),
    for tests that train only to see what happens around a train."""
    return _settings_with(tmp_path, str(simulated_store), monkeypatch)


def _settings_with(tmp_path: Path, source_db: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    env = _private_env(tmp_path, source_db)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def _private_env(tmp_path: Path, source_db: str) -> dict[str, str]:
    """The environment of a copy of `source_db`, an empty registry and a copy of the catalog
    (a promotion proposes a model weight by saving weights.toml), all in `tmp_path`."""
    tmp_path.mkdir(exist_ok=True)
    db = tmp_path / "feedback.db"
    db.write_bytes(Path(source_db).read_bytes())
    catalog = tmp_path / "catalog"
    if not catalog.exists():
        shutil.copytree(CATALOG, catalog, ignore=shutil.ignore_patterns(".history"))
    return {
        "RECOMMENDER_DB": f"sqlite:///{db}",
        "RECOMMENDER_MODELS": str(tmp_path / "models"),
        "RECOMMENDER_CATALOG": str(catalog),
    }


@pytest.fixture(scope="session")
def trained_once(tmp_path_factory: pytest.TempPathFactory, filled_db: str) -> TrainReport:
    """`train` (seed 0) on the filled store, run once: `trained` hands each test a copy."""
    return _train_on_a_copy(tmp_path_factory.mktemp("trained"), filled_db)


def _train_on_a_copy(folder: Path, source_db: str) -> TrainReport:
    """`train` (seed 0) on a copy of `source_db` in `folder`, into a registry there."""
    return train_candidate(Settings.from_env(_private_env(folder, source_db)), seed=0)


@pytest.fixture
def trained(settings: Settings, trained_once: TrainReport) -> TrainReport:
    """A model trained on the filled store, already in this test's own registry (a copy of
    the one trained once, so a test may tamper with its files, card or records)."""
    return _copied_to(trained_once, settings.models_dir)


def _copied_to(report: TrainReport, models_dir: Path) -> TrainReport:
    """`report`'s whole registry copied to `models_dir`, and `report` as found there."""
    shutil.copytree(report.card.folder.parent, models_dir)
    return _in_registry(report, models_dir)


def _in_registry(report: TrainReport, models_dir: Path) -> TrainReport:
    """`report` as found in `models_dir`, a copy of the registry it was saved to."""
    card = registry.ModelCard(copy.deepcopy(report.card.data), models_dir / report.card.model_id)
    return replace(report, card=card, evaluation=copy.deepcopy(report.evaluation))


@pytest.fixture(scope="session")
def trained_twice_once(
    tmp_path_factory: pytest.TempPathFactory, filled_db: str, trained_once: TrainReport
) -> tuple[TrainReport, TrainReport]:
    """The model trained once, then a second one (seed 1) trained beside it in the same
    registry, once per run: `trained_twice` hands each test a copy of both."""
    env = _private_env(tmp_path_factory.mktemp("trained-twice"), filled_db)
    settings = Settings.from_env(env)
    shutil.copytree(trained_once.card.folder.parent, settings.models_dir)
    first = _in_registry(trained_once, settings.models_dir)
    return first, train_candidate(settings, seed=1)


@pytest.fixture
def trained_twice(
    settings: Settings, trained_twice_once: tuple[TrainReport, TrainReport]
) -> tuple[TrainReport, TrainReport]:
    """Two models trained on the filled store (seeds 0 and 1), neither promoted, in this
    test's own registry (a copy, as for `trained`)."""
    first, second = trained_twice_once
    return _copied_to(first, settings.models_dir), _in_registry(second, settings.models_dir)


@pytest.fixture(scope="session")
def shop_trained_once(tmp_path_factory: pytest.TempPathFactory, shop_db: str) -> TrainReport:
    """`train` (seed 0) on the store of the shop's own sessions, run once."""
    return _train_on_a_copy(tmp_path_factory.mktemp("shop-trained"), shop_db)


@pytest.fixture
def shop_trained(shop_settings: Settings, shop_trained_once: TrainReport) -> TrainReport:
    """A model trained on the shop's own sessions, in this test's registry (a copy)."""
    return _copied_to(shop_trained_once, shop_settings.models_dir)


# A shop like the default one: 8,000 sessions logged by rules-only with only 5% explore, so
# almost every held-out session shows the rules' order. Evaluation is tested on this.
RANKED_SEED = 0


@pytest.fixture(scope="session")
def ranked_shop(engine: Engine):
    from training.estimator_check import simulated_shop

    return simulated_shop(engine, RANKED_SEED)


@pytest.fixture(scope="session")
def ranked_check(engine: Engine, ranked_shop):
    from training.estimator_check import check_seed

    return check_seed(engine, RANKED_SEED, shop=ranked_shop)
