"""Fixtures shared across the suite: the bundled catalog's engine, a shopper helper, a private
copy of the catalog for tests that save to it, and an empty feedback store on every backend.

Store-backed tests run on SQLite, and on PostgreSQL too when RECOMMENDER_TEST_PG_URL is set
(`source .ci/postgres.sh`); each PostgreSQL test gets a fresh schema, dropped afterwards."""

from __future__ import annotations

import os

# One OpenMP thread in every test process and the servers and commands they start (before any
# library that reads it loads): the suite already keeps both cores busy with its two workers,
# and scikit-learn's second thread mostly spun waiting: an eighth more CPU for the training
# tests on a quiet machine, a quarter beside other jobs, for the same model and card. Set here
# rather than in the product, whose own runs have the machine to themselves.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import functools
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from filelock import FileLock
from streamlit.components.v2 import manifest_scanner

from recommender.feedback import FeedbackStore
from recommender.feedback.scratch import scratch_schema
from recommender.settings import Settings
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import Engine, load_engine
from recommender.shopper.result import Result

REPO = Path(__file__).resolve().parents[1]
CATALOG_DIR = REPO / "catalog"
ARTICLE = REPO.parent / "shared" / "article.txt"
PG_URL = os.environ.get("RECOMMENDER_TEST_PG_URL", "")
# Lowest priority: a compute-only worker gets only the CPU the browser's processes leave.
COMPUTE_WORKER_NICENESS = 19
# Every new AppTest scans all installed packages for Streamlit components (a fifth of a second
# of CPU, about 90 times a run); the installed packages do not change while the tests run.
manifest_scanner.scan_component_manifests = functools.cache(
    manifest_scanner.scan_component_manifests
)
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first, each group in its own order: under pytest-xdist the
    workers take tests in this order, so a run ends on quick tests rather than on a minute-long
    one that started when the other worker had nothing left to do."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    groups = Counter(name for name in map(_group, items) if name)
    _largest_group.extend(name for name, _ in groups.most_common(1))


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker and marker.args else None


_first_test_seen = False
_largest_group: list[str] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under pytest-xdist, a worker whose first test only computes yields the CPU to the
    workers that drive the browser, except the one that runs the largest group of tests.
    pytest-xdist hands the groups out first, largest first: the training world to one worker,
    the two browser streams to two others, the ranked shop to the fourth. The browser tests
    spend much of their time waiting for Chromium and Streamlit; a compute worker at the lowest
    priority fills those waits without slowing the servers they wait for. The largest group
    keeps its priority: at the lowest, it was starved by the rest and ended the run alone.
    Set once per worker, before its first fixture."""
    global _first_test_seen
    if _first_test_seen or not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    _first_test_seen = True
    if item.get_closest_marker("browser") is None and _group(item) not in _largest_group:
        os.nice(COMPUTE_WORKER_NICENESS)


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


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder `name`, filled by `build(folder)` once per test run and shared read-only by
    every pytest-xdist worker (the first to ask builds it, under a lock; the others wait)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's own temporary folder, above each worker's
    folder = root / name
    done = folder / ".built"
    with FileLock(f"{folder}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def simulated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite feedback store file of 1,500 simulated sessions on the bundled catalog: enough
    to train a model on. Built once per run for every worker; a test copies it to change it."""

    def fill(base: Path) -> None:
        from recommender.feedback import import_feedback
        from training.simulate import simulate, write_simulation

        write_simulation(simulate(load_engine(CATALOG_DIR), 1500, seed=3), base / "sim")
        with FeedbackStore.open(f"sqlite:///{base / 'feedback.db'}") as store:
            import_feedback(store, base / "sim" / "sessions.csv", base / "sim" / "events.csv")

    return built_once(tmp_path_factory, "simulated-store", fill) / "feedback.db"


@pytest.fixture(scope="session")
def trained_registry(
    tmp_path_factory: pytest.TempPathFactory, simulated_store: Path
) -> tuple[Path, str]:
    """A registry folder holding one model trained on `simulated_store`, and its id.

    Trained once per run for every worker: a test copies the folder before it changes it."""

    def train(base: Path) -> None:
        from training.pipeline import train_candidate

        url = f"sqlite:///{simulated_store}"
        settings = Settings(db_url=url, catalog_dir=CATALOG_DIR, models_dir=base / "models")
        (base / "model_id").write_text(train_candidate(settings, seed=0).card.model_id)

    base = built_once(tmp_path_factory, "trained-registry", train)
    return base / "models", (base / "model_id").read_text()


SMALL_SHOP_SESSIONS = 600


@pytest.fixture(scope="session")
def small_shop_frames(engine: Engine):
    """A small simulated shop's logged sessions as a ranking dataset (`Prepared`), small so
    the model tests run quickly."""
    from training.pipeline import prepare_frames
    from training.simulate import simulate

    feedback = simulate(engine, SMALL_SHOP_SESSIONS, seed=3, explore_share=0.4)
    return prepare_frames(engine, feedback.sessions, feedback.events)


@pytest.fixture(scope="session")
def small_model(small_shop_frames):
    """A small position-corrected model (`LambdaRanker`) fitted on the small simulated shop."""
    from training.model import fit_ranker

    return fit_ranker(small_shop_frames.train, correction="position", seed=0, n_estimators=20)


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
