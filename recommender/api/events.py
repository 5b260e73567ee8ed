"""POST /v1/events: what happened after the list was shown (clicks, purchases, returns).

One request is one transaction: every row is checked first (the same checks as a CSV import),
then all are written or none. A row already stored is counted, not added again, so a checkout
may safely retry. Impressions are not taken here: POST /v1/recommendations logs them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from recommender.api.bodies import (
    MAX_EVENTS_PER_REQUEST,
    EventsRequest,
    EventsStored,
    documented,
    integral,
    json_object,
)
from recommender.api.outcomes import store_outcomes
from recommender.api.problems import BadRequestBody
from recommender.api.state import Worker, get_engine, get_store, require_key
from recommender.errors import StoreError
from recommender.feedback import FeedbackStore
from recommender.feedback import columns as col
from recommender.feedback.records import (
    Event,
    FieldProblem,
    check_choice,
    check_position,
    check_propensity,
    check_text,
    parse_timestamp,
)
from recommender.shopper.engine import Engine

router = APIRouter(tags=["events"])
ROW_FIELDS = col.EVENT_COLUMNS  # an event row of the API carries the columns of events.csv


@router.post(
    "/v1/events",
    status_code=202,
    response_model=EventsStored,
    dependencies=[Depends(require_key)],
    openapi_extra=documented(EventsRequest),
    responses={
        401: {"description": "missing or wrong API key"},
        413: {"description": "body over 1 MB"},
        415: {"description": "a body that is not `application/json`"},
        422: {
            "description": "a bad row, an unknown session or SKU, or a row that does not match "
            "its session (SKU not shown there, another position, a time before it or in the "
            "future, a return without a purchase, another propensity, too many repeats); "
            "`field` names it"
        },
        429: {"description": "too many wrong keys from this address; see `Retry-After`"},
        503: {"description": "the feedback store cannot be reached; nothing was saved"},
    },
)
async def post_events(
    request: Request,
    state: Worker,
    engine: Annotated[Engine, Depends(get_engine)],
    store: Annotated[FeedbackStore, Depends(get_store)],
) -> EventsStored:
    """Store the checkout's events (SPEC section 7): 202 with counts, or 422 naming the bad row."""
    body = await json_object(request, ("events",))
    rows = body.get("events")
    if not isinstance(rows, list) or not rows:
        raise BadRequestBody("events: expected a non-empty list of event rows", "events")
    if len(rows) > MAX_EVENTS_PER_REQUEST:
        raise BadRequestBody(
            f"events: {len(rows):,} rows; send at most {MAX_EVENTS_PER_REQUEST:,} per request",
            "events",
        )
    events = [_event(row, f"events[{number}]") for number, row in enumerate(rows)]
    known = set(engine.catalog.skus)
    for number, event in enumerate(events):
        if event.sku not in known:
            where = f"events[{number}].sku"
            raise BadRequestBody(f"{where}: no product '{event.sku}' in the catalog", where)
    try:
        added = await run_in_threadpool(store_outcomes, store, events)
    except StoreError as error:
        state.store_watch.wrote(error)
        raise
    state.store_watch.wrote()
    return EventsStored(stored=added, already_stored=len(events) - added)


def _event(row: Any, where: str) -> Event:
    if not isinstance(row, dict):
        raise BadRequestBody(f"{where}: expected an object", where)
    for name in row:
        if name not in ROW_FIELDS:
            raise BadRequestBody(
                f"{where}: '{name}' is not a column; expected {', '.join(ROW_FIELDS)}",
                f"{where}.{name}",
            )
    for name in ROW_FIELDS[:-1]:
        if name not in row:
            raise BadRequestBody(f"{where}.{name}: is required", f"{where}.{name}")
    column = col.SESSION_ID
    try:
        session_id = check_text(column, row[column])
        column = col.TS
        if not isinstance(row[column], str):
            raise FieldProblem(column, "expected an ISO 8601 time as text")
        ts = parse_timestamp(column, row[column])
        column = col.SKU
        sku = check_text(column, row[column])
        column = col.POSITION
        position = check_position(integral(row[column]))
        column = col.EVENT
        event = check_choice(column, row[column], col.OUTCOME_KINDS)
        column = col.PROPENSITY
        propensity = check_propensity(row.get(column))
    except FieldProblem as problem:
        field = f"{where}.{problem.column}"
        raise BadRequestBody(f"{field}: {problem.problem}", field) from None
    return Event(session_id, ts, sku, position, event, propensity)
