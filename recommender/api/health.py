"""GET /v1/health: is this worker serving, and which catalog, weights and model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from recommender.api.bodies import Health
from recommender.api.state import get_engine
from recommender.shopper.engine import Engine

router = APIRouter(tags=["health"])


@router.get("/v1/health", response_model=Health)
async def health(engine: Annotated[Engine, Depends(get_engine)]) -> Health:
    """The versions being served: a catalog or weights save, or a promotion, changes them."""
    return Health(
        status="ok",
        catalog_version=engine.catalog.version,
        weights_version=str(engine.weights.version),
        model_version=engine.model_version,
    )
