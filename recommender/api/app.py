"""The FastAPI app: routers, the error boundary and the body limit, nothing else.

uvicorn calls `create_app` once per worker (`--factory`), so each worker reads the settings
from the environment and builds its own engine and store connection.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from recommender.api import events, health, problems, recommendations
from recommender.api.edge import JsonOnly, SecurityHeaders
from recommender.api.keys import api_keys_from_env, parse_api_keys
from recommender.api.limits import BodyLimit
from recommender.api.state import RECHECK_SECONDS, WorkerState
from recommender.api.throttle import rate_from_env
from recommender.errors import CatalogError
from recommender.settings import Settings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    worker: WorkerState = app.state.worker
    try:
        # Built before the first request, so no shopper waits for the catalog to load.
        await run_in_threadpool(worker.engine)
    except CatalogError as error:  # each request says so too (503) until the files are fixed
        logger.error("no catalog to serve: %s", error)
    worker.open_store_soon()  # the first shopper's session need not wait for the connection
    yield
    worker.close()


def create_app(
    settings: Settings | None = None,
    api_keys: tuple[str, ...] | None = None,
    recheck_seconds: float = RECHECK_SECONDS,
    rate_per_minute: int | None = None,
) -> FastAPI:
    """The API app; with no arguments, settings, keys and the rate come from the environment.

    `recheck_seconds` is how long a worker may serve its engine before it looks at the catalog,
    weights and models files again (tests use 0, so a change shows on the next request).
    """
    app = FastAPI(
        title="Product finder API",
        version="1",
        description="Recommendations for the shop's own pages and feedback from its checkout "
        "(SPEC section 7). Answers follow SPEC section 1; results follow section 4.",
        lifespan=_lifespan,
    )
    app.state.worker = WorkerState(
        settings or Settings.from_env(),
        api_keys_from_env() if api_keys is None else parse_api_keys(api_keys),
        recheck_seconds,
        rate_from_env(os.environ) if rate_per_minute is None else rate_per_minute,
    )
    problems.register(app)
    for module in (health, recommendations, events):
        app.include_router(module.router)
    # The last added runs first: headers go on every answer, the 415 and 413 ones included.
    app.add_middleware(BodyLimit)
    app.add_middleware(JsonOnly)
    app.add_middleware(SecurityHeaders)
    return app
