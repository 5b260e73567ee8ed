"""JSON request bodies: decoded by the same hardened decoder as the CLI, checked field by field.

The answers inside a recommendation request go to `recommender.shopper.answers.parse_answers`, the one
validator of SPEC section 1; this module only checks the envelope around them. The pydantic
models below describe the bodies for `/openapi.json`; they validate nothing themselves, so
there is no second answers schema to drift.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field

from recommender.api.problems import BadRequestBody
from recommender.errors import short_value
from recommender.feedback import columns as col
from recommender.feedback.records import MAX_POSITION
from recommender.shopper.answers import decode_json
from recommender.shopper.engine import DEFAULT_K, MAX_K

# Far more than one checkout reports at once; the 1 MB body limit holds anyway.
MAX_EVENTS_PER_REQUEST = 1_000


class RecommendationRequest(BaseModel):
    """A shopper's answers (SPEC section 1), how many products to show, and an optional id."""

    answers: dict[str, Any] = Field(
        description="Questionnaire answers exactly as SPEC section 1 defines them; validated by "
        "the same code as the command line and the finder.",
        examples=[{"pain_areas": ["knee"], "activities": ["running"], "red_flags": []}],
    )
    k: int = Field(DEFAULT_K, ge=1, le=MAX_K, description="how many products to show")
    session_id: str | None = Field(
        None, description="your own id for this session; one is made when left out"
    )


class EventRow(BaseModel):
    """One row of SPEC section 5's events table."""

    session_id: str
    ts: str = Field(description="ISO 8601 with an offset, e.g. 2026-11-28T10:15:00Z")
    sku: str
    position: int = Field(ge=1, le=MAX_POSITION, description="the 1-based rank it was shown at")
    event: str = Field(description=", ".join(col.OUTCOME_KINDS))
    propensity: float | None = Field(
        None, description="left out: copied from the product's logged impression"
    )


class EventsRequest(BaseModel):
    """The body of `POST /v1/events`: the checkout's rows, all stored or none."""

    events: list[EventRow] = Field(max_length=MAX_EVENTS_PER_REQUEST)


class EventsStored(BaseModel):
    """What `POST /v1/events` answers: how many rows were new and how many were already stored."""

    stored: int = Field(description="events new to the store")
    already_stored: int = Field(description="events that were already there (a safe retry)")


class Health(BaseModel):
    """What `GET /v1/health` answers: the versions of the catalog, weights and model served."""

    status: str
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


def whole_number(value: Any, field: str, low: int, high: int) -> int:
    """`value` as an int from `low` to `high`, or a BadRequestBody naming `field`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequestBody(
            f"{field}: {short_value(value, text_as_is=True)} is not a whole number from {low} to {high}",
            field,
        )
    return value
