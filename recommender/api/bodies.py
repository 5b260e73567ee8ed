"""JSON request bodies: decoded by the same hardened decoder as the CLI, checked field by field.

The answers inside a recommendation request go to `recommender.shopper.answers.parse_answers`, the one
validator of SPEC section 1; this module only checks the envelope around them. The pydantic
models below describe the bodies for `/openapi.json`; they validate nothing themselves, so
there is no second answers schema to drift.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from recommender.api.answers_schema import ID_PATTERN, answers_schema
from recommender.api.problems import BadRequestBody
from recommender.errors import short_value
from recommender.feedback import columns as col
from recommender.feedback.records import MAX_ID_LENGTH, MAX_POSITION
from recommender.shopper.answers import decode_json
from recommender.shopper.engine import DEFAULT_K, MAX_K

# Far more than one checkout reports at once; the 1 MB body limit holds anyway.
MAX_EVENTS_PER_REQUEST = 1_000


class RecommendationRequest(BaseModel):
    """A shopper's answers (SPEC section 1), how many products to show, and an optional id."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(json_schema_extra=answers_schema())
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K, description="how many products to show")
    session_id: str | None = Field(
        None,
        pattern=ID_PATTERN,
        description="your own id for this session (needs a key); one is made when left out",
    )


class EventRow(BaseModel):
    """One row of SPEC section 5's events table."""

    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    ts: datetime = Field(
        description="ISO 8601 with an offset, e.g. 2026-11-28T10:15:00Z; not before the session "
        "began nor more than 5 minutes ahead"
    )
    sku: str = Field(min_length=1, max_length=MAX_ID_LENGTH, description="a product shown")
    position: int = Field(
        ge=1, le=MAX_POSITION, description="the 1-based rank the product was shown at"
    )
    event: str = Field(
        description="a `returned` needs a `purchase` of the product first",
        json_schema_extra={"enum": list(col.OUTCOME_KINDS)},
    )
    propensity: float | None = Field(
        None,
        gt=0,
        le=1,
        description="left out: copied from the product's logged impression; given: must be it",
    )


class EventsRequest(BaseModel):
    """The body of `POST /v1/events`: the checkout's rows, all stored or none."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventRow] = Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)


class EventsStored(BaseModel):
    """What `POST /v1/events` answers: how many rows were new and how many were already stored."""

    stored: int = Field(description="events new to the store")
    already_stored: int = Field(description="events that were already there (a safe retry)")


class Health(BaseModel):
    """What `GET /v1/health` answers: the versions of the catalog, weights and model served."""

    status: str = Field(description="ok, or degraded when the feedback store is not ok")
    store: str = Field(description="the feedback store: ok, slow or unavailable")
    catalog_version: str
    weights_version: str
    model_version: str


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` describing a JSON body by `model`, its nested models written inline."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline(schema, definitions)}},
        }
    }


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, definitions) for value in node]
    return node


async def json_object(request: Request, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The body as a JSON object holding only `allowed` keys, or a 422 naming what is wrong."""
    body = await request.body()
    if not body.strip():
        raise BadRequestBody("the request body is empty; expected a JSON object", "body")
    try:
        data = decode_json(body, object_pairs_hook=_no_repeats)
    except json.JSONDecodeError as error:
        raise BadRequestBody(f"the request body is not valid JSON ({error.msg})", "body") from None
    if not isinstance(data, dict):
        raise BadRequestBody("the request body must be a JSON object", "body")
    for name in data:
        if name not in allowed:
            raise BadRequestBody(
                f"'{short_value(name, text_as_is=True)}' is not a known field; expected {', '.join(allowed)}",
                name,
            )
    return data


class _Repeated(ValueError):
    pass


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            # decode_json turns a ValueError into a JSONDecodeError carrying this message.
            raise _Repeated(f"'{short_value(name, text_as_is=True)}' is given twice")
        found[name] = value
    return found


def integral(value: Any) -> Any:
    """`value`, with a float that holds a whole number (JSON's 5.0) as that int: JSON Schema
    counts 5.0 as an integer, so the description allows it."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def whole_number(value: Any, field: str, low: int, high: int) -> int:
    """`value` as an int from `low` to `high`, or a BadRequestBody naming `field`."""
    value = integral(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequestBody(
            f"{field}: {short_value(value, text_as_is=True)} is not a whole number from {low} to {high}",
            field,
        )
    return value
