"""The FastAPI app: routers, the error boundary and the body limit, nothing else.

uvicorn calls `create_app` once per worker (`--factory`), so each worker reads the settings
from the environment and builds its own engine and store connection.
"""

from __future__ import annotations

from fastapi import FastAPI

from recommender.api import events, health, problems, recommendations
from recommender.api.limits import BodyLimit
from recommender.api.state import WorkerState, api_keys_from_env
from recommender.settings import Settings


def create_app(
    settings: Settings | None = None, api_keys: tuple[str, ...] | None = None
) -> FastAPI:
    """The API app; with no arguments, settings and keys come from the environment."""
    app = FastAPI(
        title="Product finder API",
        version="1",
        description="Recommendations for the shop's own pages and feedback from its checkout "
        "(SPEC section 7). Answers follow SPEC section 1; results follow section 4.",
    )
    app.state.worker = WorkerState(
        settings or Settings.from_env(),
        api_keys_from_env() if api_keys is None else api_keys,
    )
    problems.register(app)
    for module in (health, recommendations, events):
        app.include_router(module.router)
    app.add_middleware(BodyLimit)
    return app
