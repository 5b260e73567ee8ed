"""The HTTP API for the shop's own pages and checkout (SPEC section 7).

    create_app()            the FastAPI app; uvicorn builds one per worker (`--factory`)
    GET  /v1/health         catalog, weights and model versions being served
    POST /v1/recommendations answers in (validated by recommender.shopper.answers), result out, logged
    POST /v1/events         the checkout's clicks, purchases and returns (Bearer key)

Each module is one small part of the edge: `state` (what a worker keeps), `limits` (body size),
`edge` (JSON only, no-store and nosniff on every answer), `keys` and `throttle` (who calls, how
often), `connections` (serve's HTTP protocol: head limits and timeouts), `problems` (the one
error boundary), `bodies` and `answers_schema` (JSON in, as /openapi.json describes it),
`event_checks` (an event must match its session), one router per resource, `access_log`.
Everything the routers need comes through `Depends`, so tests swap it with
`app.dependency_overrides`.
"""

from recommender.api.app import create_app

__all__ = ["create_app"]
