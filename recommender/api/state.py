"""What one worker keeps between requests, and the dependencies that hand it to the routes.

Nothing here is shared between workers or hosts: the engine is rebuilt from the catalog,
weights and models folders whenever their files change (the same fingerprint the app uses), and
the feedback store is one connection pool to the shared database. A test swaps any of these
through `app.dependency_overrides`.
"""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated

import numpy as np
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from recommender.api.problems import MissingKey
from recommender.catalog.last_good import load_serving_engine
from recommender.feedback import FeedbackStore
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shop.shopping import engine_key
from recommender.shopper.engine import Engine

API_KEYS_SETTING = "RECOMMENDER_API_KEYS"
# auto_error=False: a missing key is refused by `require_key`, with our 401 body.
_bearer = HTTPBearer(auto_error=False, description="a key from RECOMMENDER_API_KEYS")


@dataclass
class WorkerState:
    """The engine (rebuilt when its files change) and the store of one worker process."""

    settings: Settings
    api_keys: tuple[str, ...]
    _engine: tuple[str, Engine] | None = None
    _store: FeedbackStore | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def engine(self) -> Engine:
        key = engine_key(self.settings.catalog_dir, self.settings.models_dir)
        with self._lock:
            if self._engine is None or self._engine[0] != key:
                model, notices = resolve_model(self.settings, None, rules_only=False)
                built = load_serving_engine(self.settings.catalog_dir, model, tuple(notices))
                self._engine = (key, built)
            return self._engine[1]

    def store(self) -> FeedbackStore:
        with self._lock:
            if self._store is None:
                self._store = FeedbackStore.open(self.settings.db_url)
            return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def api_keys_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The keys in RECOMMENDER_API_KEYS (comma-separated); none set means events are refused."""
    raw = (os.environ if environ is None else environ).get(API_KEYS_SETTING, "")
    return tuple(key.strip() for key in raw.split(",") if key.strip())


def worker_state(request: Request) -> WorkerState:
    return request.app.state.worker


Worker = Annotated[WorkerState, Depends(worker_state)]


def get_settings(state: Worker) -> Settings:
    return state.settings


def get_engine(state: Worker) -> Engine:
    return state.engine()


def get_store(state: Worker) -> FeedbackStore:
    return state.store()


def get_store_opener(state: Worker) -> Callable[[], FeedbackStore]:
    """Opens the store only when a write needs it, so a store outage never blocks a result."""
    return state.store


def get_rng() -> np.random.Generator:
    # A fresh generator per request: numpy generators are not safe to share between threads.
    return np.random.default_rng()


def get_api_keys(state: Worker) -> tuple[str, ...]:
    return state.api_keys


def require_key(
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
