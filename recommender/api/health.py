"""GET /v1/health: is this worker serving, which catalog, weights and model, and how its
feedback store is doing.

`store` is `ok`, `slow` (a write has taken longer than a shopper waits, or the last one did) or
`unavailable` (the last write failed); `status` is then `degraded`. The answer stays 200:
results are still served, only not logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from recommender.api.bodies import Health
from recommender.api.state import STORE_OK, Worker, get_engine
from recommender.shopper.engine import Engine

router = APIRouter(tags=["health"])


@router.get(
    "/v1/health",
    response_model=Health,
    responses={503: {"description": "no catalog can be served right now"}},
)
async def health(engine: Annotated[Engine, Depends(get_engine)], state: Worker) -> Health:
    """The versions being served: a catalog or weights save, or a promotion, changes them."""
    store = state.store_state()
    return Health(
        status="ok" if store == STORE_OK else "degraded",
        store=store,
        catalog_version=engine.catalog.version,
        weights_version=str(engine.weights.version),
        model_version=engine.model_version,
    )
