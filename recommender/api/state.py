"""What one worker keeps between requests, and the dependencies that hand it to the routes.

Nothing here is shared between workers or hosts: the engine and the interleaving candidate are
rebuilt from the catalog, weights and models folders whenever their files change (the same
fingerprint the app uses), and the feedback store is one connection pool to the shared database.
The fingerprint stats seven files, which under load cost a tenth of a worker's time when done on
every request, so a worker looks at most once per `RECHECK_SECONDS`: a weights save, a catalog
import or a promotion reaches every worker within that long. A test swaps any of these through
`app.dependency_overrides`.

The dependencies are `async`: FastAPI runs a plain `def` dependency in the thread pool, and
those hops cost more than the work itself. Only a rebuild, which reads files, leaves the loop.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from recommender.api.problems import MissingKey
from recommender.feedback import FeedbackStore
from recommender.feedback.shown import ShownWriter
from recommender.model.interleave_candidate import InterleaveCandidate, load_candidate
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shop.last_good import load_serving_engine
from recommender.shop.shopping import engine_key
from recommender.shopper.engine import Engine

API_KEYS_SETTING = "RECOMMENDER_API_KEYS"
RECHECK_SECONDS = 1.0
# auto_error=False: a missing key is refused by `require_key`, with our 401 body.
_bearer = HTTPBearer(auto_error=False, description="a key from RECOMMENDER_API_KEYS")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Serving:
    """What one version of the folders serves: the engine and the candidate to interleave."""

    key: str  # `engine_key` of the files it was built from
    engine: Engine
    candidate: InterleaveCandidate | None  # None: no interleaving test, or none usable


@dataclass
class WorkerState:
    """The engine and candidate (rebuilt when their files change) and the store of one worker."""

    settings: Settings
    api_keys: tuple[str, ...]
    recheck_seconds: float = RECHECK_SECONDS  # tests use 0: every request looks at the files
    _serving: Serving | None = None
    _checked_at: float = float("-inf")  # time.monotonic() when the files last matched
    _store: FeedbackStore | None = None
    _writer: ShownWriter | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self) -> Serving | None:
        """The built serving if the folders have not changed since it was built (looked at once
        per `recheck_seconds` at most); None when a rebuild is due."""
        built = self._serving
        if built is None:
            return None
        now = time.monotonic()
        if now - self._checked_at < self.recheck_seconds:
            return built
        if engine_key(self.settings.catalog_dir, self.settings.models_dir) != built.key:
            return None
        self._checked_at = now
        return built

    def serving(self) -> Serving:
        """The serving for the folders as they are now, rebuilt if they changed (blocking)."""
        with self._lock:  # one rebuild per change, however many requests notice it at once
            key = engine_key(self.settings.catalog_dir, self.settings.models_dir)
            if self._serving is None or self._serving.key != key:
                self._serving = self._build(key)
            self._checked_at = time.monotonic()
            return self._serving

    def engine(self) -> Engine:
        """The engine this worker serves now (rebuilt when the catalog, weights or model change)."""
        return self.serving().engine

    def _build(self, key: str) -> Serving:
        model, notices = resolve_model(self.settings, None, rules_only=False)
        engine = load_serving_engine(self.settings.catalog_dir, model, tuple(notices))
        candidate, why_not = load_candidate(self.settings, engine)
        for notice in why_not:  # for staff, as on the Analytics page; never in a result
            logger.warning("%s", notice)
        return Serving(key, engine, candidate)

    def store(self) -> FeedbackStore:
        """This worker's feedback store, opened on first use."""
        with self._lock:
            if self._store is None:
                self._store = FeedbackStore.open(self.settings.db_url)
            return self._store

    def writer(self) -> ShownWriter:
        """The group-commit writer of shown results, over the worker's store."""
        store = self.store()
        with self._lock:
            if self._writer is None:
                self._writer = ShownWriter(store)
            return self._writer

    def close(self) -> None:
        """Store what the group writer holds and close the store."""
        if self._writer is not None:
            self._writer.close()
        if self._store is not None:
            self._store.close()


def api_keys_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The keys in RECOMMENDER_API_KEYS (comma-separated); none set means events are refused."""
    raw = (os.environ if environ is None else environ).get(API_KEYS_SETTING, "")
    return tuple(key.strip() for key in raw.split(",") if key.strip())


async def worker_state(request: Request) -> WorkerState:
    """The worker's state, a FastAPI dependency."""
    return request.app.state.worker


Worker = Annotated[WorkerState, Depends(worker_state)]


async def get_serving(state: Worker) -> Serving:
    """The current engine and candidate; a rebuild (reading files) runs off the event loop."""
    current = state.current()
    return current if current is not None else await run_in_threadpool(state.serving)


async def get_engine(serving: Annotated[Serving, Depends(get_serving)]) -> Engine:
    """The engine to answer with, a FastAPI dependency."""
    return serving.engine


async def get_store(state: Worker) -> FeedbackStore:
    """The worker's feedback store, a FastAPI dependency."""
    # Opened once per worker; the first call connects, so it leaves the event loop.
    return await run_in_threadpool(state.store)


async def get_writer_opener(state: Worker) -> Callable[[], ShownWriter]:
    """Opens the writer of shown results only when one is shown, so a store outage never
    blocks a result (the route opens the store itself the same way, with `state.store`)."""
    return state.writer


async def get_api_keys(state: Worker) -> tuple[str, ...]:
    """The keys that may post events, a FastAPI dependency."""
    return state.api_keys


async def require_key(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    keys: Annotated[tuple[str, ...], Depends(get_api_keys)],
) -> None:
    """Pass only with `Authorization: Bearer KEY` for a configured key (constant-time compare)."""
    if credentials is None or not credentials.credentials.strip():
        raise MissingKey("send 'Authorization: Bearer KEY' with a key from RECOMMENDER_API_KEYS")
    offered = credentials.credentials.strip().encode()
    # Every key is compared, so the time taken says nothing about which one came close.
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(offered, key.encode())
    if not matched:
        raise MissingKey("the API key is not valid")
