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

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from recommender.api.keys import API_KEYS_SETTING, PUBLIC, ApiKey, matching_key
from recommender.api.problems import MissingKey, TooMany
from recommender.api.throttle import DEFAULT_RATE, RateLimit, WrongKeys
from recommender.feedback import FeedbackStore
from recommender.feedback.shown import ShownWriter, StoreTooSlow
from recommender.model.interleave_candidate import InterleaveCandidate, load_candidate
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shop.last_good import load_serving_engine
from recommender.shop.shopping import engine_key
from recommender.shopper.engine import Engine

RECHECK_SECONDS = 1.0
# A shopper waits at most this long for their session to be stored; then the result goes out
# with `session_id` null and a note. One statement of the API's store may take this long.
STORE_WAIT_SECONDS = 1.5
STATEMENT_TIMEOUT_SECONDS = 3.0
STORE_OK, STORE_SLOW, STORE_DOWN = "ok", "slow", "unavailable"
# auto_error=False: a missing key is refused by `require_key`, with our 401 body.
_bearer = HTTPBearer(auto_error=False, description="a key from RECOMMENDER_API_KEYS")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Serving:
    """What one version of the folders serves: the engine and the candidate to interleave."""

    key: str  # `engine_key` of the files it was built from
    engine: Engine
    candidate: InterleaveCandidate | None  # None: no interleaving test, or none usable


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a request: `client` is stored with the sessions it makes (SPEC section 5)."""

    client: str  # the API key's id, or `public` without a key
    address: str
    keyed: bool


@dataclass
class StoreWatch:
    """How the worker's last store write went, for /v1/health."""

    state: str = STORE_OK
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wrote(self, error: BaseException | None = None) -> None:
        """Note how a store write went: `error` is None when it succeeded."""
        with self._lock:
            if error is None:
                self.state = STORE_OK
            else:
                self.state = STORE_SLOW if isinstance(error, StoreTooSlow) else STORE_DOWN


@dataclass
class WorkerState:
    """The engine and candidate (rebuilt when their files change), the store, and the
    per-client limits of one worker."""

    settings: Settings
    api_keys: tuple[ApiKey, ...]
    recheck_seconds: float = RECHECK_SECONDS  # tests use 0: every request looks at the files
    rate_per_minute: int = DEFAULT_RATE
    rate: RateLimit = field(init=False)
    wrong_keys: WrongKeys = field(default_factory=WrongKeys)
    store_watch: StoreWatch = field(default_factory=StoreWatch)
    _serving: Serving | None = None
    _checked_at: float = float("-inf")  # time.monotonic() when the files last matched
    _store: FeedbackStore | None = None
    _writer: ShownWriter | None = None
    _opening: Future[ShownWriter] | None = None  # the writer being opened, off the request
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rate = RateLimit(self.rate_per_minute)

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
        engine = load_serving_engine(
            self.settings.catalog_dir, model, tuple(notices), region=self.settings.region
        )
        candidate, why_not = load_candidate(self.settings, engine)
        for notice in why_not:  # for staff, as on the Analytics page; never in a result
            logger.warning("%s", notice)
        return Serving(key, engine, candidate)

    def store(self) -> FeedbackStore:
        """This worker's feedback store, opened on first use."""
        with self._lock:
            if self._store is None:
                self._store = FeedbackStore.open(
                    self.settings.db_url, statement_timeout_s=STATEMENT_TIMEOUT_SECONDS
                )
            return self._store

    def writer(self) -> ShownWriter:
        """The group-commit writer of shown results, over the worker's store."""
        store = self.store()
        with self._lock:
            if self._writer is None:
                self._writer = ShownWriter(store, wait_seconds=STORE_WAIT_SECONDS)
            return self._writer

    def writer_within(self, seconds: float) -> ShownWriter:
        """The writer, or StoreTooSlow if the store cannot be opened within `seconds`.

        Opening connects and brings the schema up to date, which waits for as long as another
        program holds the store's lock; it goes on in its own thread, so a shopper never waits
        for it longer than a write.
        """
        if self._writer is not None:
            return self._writer
        try:
            return self.open_store_soon().result(timeout=seconds)
        except FutureTimeout:
            raise StoreTooSlow(f"the feedback store did not open within {seconds:g} s") from None

    def open_store_soon(self) -> Future[ShownWriter]:
        """Start opening the store and its writer in the background (once; again after a
        failure), so the first shopper finds it open."""
        with self._lock:
            opening = self._opening
            if opening is None or (opening.done() and opening.exception() is not None):
                opening = self._opening = Future()
                threading.Thread(
                    target=_settle, args=(opening, self.writer), name="store-opener", daemon=True
                ).start()
            return opening

    def store_state(self) -> str:
        """`ok`, `slow` (a write is taking longer than a shopper waits) or `unavailable`."""
        writer = self._writer
        busy_since = None if writer is None else writer.busy_since
        if busy_since is not None and time.monotonic() - busy_since > STORE_WAIT_SECONDS:
            return STORE_SLOW
        return self.store_watch.state

    def close(self) -> None:
        """Store what the group writer holds and close the store."""
        if self._writer is not None:
            self._writer.close()
        if self._store is not None:
            self._store.close()


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
    """Opens the writer of shown results only when one is shown, and waits for it no longer
    than for a write, so a store outage never blocks a result."""
    return partial(state.writer_within, STORE_WAIT_SECONDS)


def _settle(future: Future[ShownWriter], work: Callable[[], ShownWriter]) -> None:
    try:
        future.set_result(work())
    except BaseException as error:  # the caller (or the next one) sees it
        future.set_exception(error)


async def require_key(
    request: Request,
    state: Worker,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Pass only with `Authorization: Bearer KEY` for a configured key."""
    return identify(state, request, key_required=True)


def identify(state: WorkerState, request: Request, *, key_required: bool) -> Caller:
    """Who is calling: the key's id with a valid key, `public` with none (where allowed).

    A wrong key is 401, and counts against its address: after too many the address gets 429
    until they age, and its keys are not compared meanwhile.
    """
    address = request.client.host if request.client else "unknown"
    header = request.headers.get("authorization")
    if header is None:
        if key_required:
            raise MissingKey(f"send 'Authorization: Bearer KEY' with a key from {API_KEYS_SETTING}")
        return Caller(PUBLIC, address, keyed=False)
    wait = state.wrong_keys.wait(address)
    if wait:
        raise TooMany("too many wrong API keys from this address; try again later", wait)
    scheme, _, offered = header.partition(" ")
    key = matching_key(state.api_keys, offered) if scheme.lower() == "bearer" else None
    if key is None:
        state.wrong_keys.failed(address)
        raise MissingKey("the API key is not valid")
    return Caller(key.key_id, address, keyed=True)
