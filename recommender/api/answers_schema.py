"""The JSON Schema of SPEC section 1's answers, built from the validator's own tables.

`/openapi.json` describes the answers with it, so a client (or schemathesis) that follows the
description sends only answers the server takes, and a new choice added to
`recommender.shopper.answers` shows in the description without another edit. The validator
stays the one judge; this only describes it.
"""

from __future__ import annotations

import math
from typing import Any

from recommender.shopper.answers import (
    CHOICES,
    LIST_CHOICES,
    MEASUREMENT_RANGES,
    NUMBER_RANGES,
    SCHEMA_VERSION,
)

# What an id chosen by an API client may look like (a session id): letters and digits first,
# then also . _ : -. Nothing a spreadsheet runs as a formula, no spaces, no e-mail addresses.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$"


def answers_schema() -> dict[str, Any]:
    """The JSON Schema of a shopper's answers (SPEC section 1), as the API documents them."""
    properties: dict[str, Any] = {"schema_version": {"type": "integer", "enum": [SCHEMA_VERSION]}}
    for name, choices in CHOICES.items():
        properties[name] = {"type": "string", "enum": list(choices)}
    for name, choices in LIST_CHOICES.items():
        properties[name] = {
            "type": "array",
            "items": {"type": "string", "enum": list(choices)},
            "uniqueItems": True,
        }
    for name, (low, high, low_inclusive) in NUMBER_RANGES.items():
        number: dict[str, Any] = {"type": "number"}
        number["minimum" if low_inclusive else "exclusiveMinimum"] = low
        if math.isfinite(high):
            number["maximum"] = high
        properties[name] = number
    properties["measurements"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: {"type": "number", "minimum": low, "maximum": high}
            for name, (low, high) in MEASUREMENT_RANGES.items()
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "description": "Questionnaire answers exactly as SPEC section 1 defines them; every "
        "field is optional. Validated by the same code as the command line and the finder.",
        "example": {"pain_areas": ["knee"], "activities": ["running"], "red_flags": []},
    }
