"""Shareable finder links (SPEC section 9): raw answers <-> the query parameters of an address.

`/?pain_areas=knee,lower_back&bunions=both&sitting_hours=9&knee_cm=38&step=results`

Parameters are named after the answer fields of SPEC section 1: lists comma-separated, numbers
as numbers, each body measurement under its own name. Decoding goes through the same
`parse_answers` validator as every other way in, so a link can say nothing a JSON file could
not, and a bad value raises `AnswersError` naming the field. Nothing here imports Streamlit.

`red_flags=none` records that the shopper answered the safety questions and ticked none; a
link without any `red_flags` parameter has not answered them, so the finder asks them first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from recommender.errors import AnswersError
from recommender.shopper.answers import (
    CHOICES,
    LIST_CHOICES,
    MEASUREMENT_RANGES,
    NUMBER_RANGES,
    Answers,
    parse_answers,
)

STEP_PARAM = "step"
RESULTS = "results"  # the step value of a results (or safety stop) page
NO_RED_FLAGS = "none"
# A full set of answers is well under 1,000 characters; a hostile address is refused early.
MAX_PARAMS = 40
MAX_VALUE_CHARS = 400
# repr of a small float can carry 17 significant digits after several leading zeros.
_NUMBER = re.compile(r"^-?[0-9]{1,6}(\.[0-9]{1,24})?([eE][-+]?[0-9]{1,3})?$")
_ANSWER_PARAMS = (*CHOICES, *LIST_CHOICES, *NUMBER_RANGES, *MEASUREMENT_RANGES)


@dataclass(frozen=True, slots=True)
class Link:
    """What an address says: the validated answers, the raw answers they came from, whether
    the safety questions were answered, and the step to open (None: not said)."""

    answers: Answers
    raw: dict[str, Any]
    safety_answered: bool
    step: str | None


def link_params(
    raw: Mapping[str, Any], *, safety_answered: bool, step: str | None = None
) -> dict[str, str]:
    """The query parameters for a raw answers object (SPEC section 1), in the schema's order."""
    params: dict[str, str] = {}
    for name in _ANSWER_PARAMS:
        if name in MEASUREMENT_RANGES:
            value = (raw.get("measurements") or {}).get(name)
        else:
            value = raw.get(name)
        if value is None or value == []:
            continue
        if name in LIST_CHOICES:
            ordered = [option for option in LIST_CHOICES[name] if option in value]
            params[name] = ",".join(ordered)
        elif name in CHOICES:
            params[name] = str(value)
        else:
            params[name] = _number_text(float(value))
    if safety_answered and "red_flags" not in params:
        params["red_flags"] = NO_RED_FLAGS
    if step is not None:
        params[STEP_PARAM] = step
    return params


def read_link(params: Mapping[str, str]) -> Link:
    """Validate an address's query parameters; `AnswersError` names the first bad one."""
    if len(params) > MAX_PARAMS:
        raise AnswersError("(address)", f"has {len(params)} parameters; at most {MAX_PARAMS}")
    raw: dict[str, Any] = {}
    measurements: dict[str, float] = {}
    safety_answered = False
    step = None
    for name, text in params.items():
        if len(text) > MAX_VALUE_CHARS:
            raise AnswersError(name, f"is {len(text):,} characters long; at most {MAX_VALUE_CHARS}")
        if name == STEP_PARAM:
            step = text
        elif name == "red_flags" and text == NO_RED_FLAGS:
            safety_answered = True
        elif name in LIST_CHOICES:
            raw[name] = _list(name, text)
            safety_answered = safety_answered or name == "red_flags"
        elif name in CHOICES:
            raw[name] = text
        elif name in NUMBER_RANGES:
            raw[name] = _number(name, text)
        elif name in MEASUREMENT_RANGES:
            measurements[name] = _number(f"measurements.{name}", text)
        else:
            raise AnswersError(name, "is not a known question")
    if measurements:
        raw["measurements"] = measurements
    return Link(parse_answers(raw), raw, safety_answered, step)


@dataclass(frozen=True, slots=True)
class Unrecognised:
    """A part of an address the finder could not use: the parameter and what it said."""

    name: str
    values: tuple[str, ...]


def salvage(params: Mapping[str, str]) -> tuple[dict[str, str], tuple[Unrecognised, ...]]:
    """The parameters with every unknown question and every unknown choice left out, so that a
    link with one mistake keeps all of its good answers ('pain_areas=knee,foo' keeps the knee).

    Numbers and sizes are left for `read_link` to judge; a value that is too long is cut out
    whole, without being read.
    """
    kept: dict[str, str] = {}
    dropped: list[Unrecognised] = []
    for name, text in params.items():
        if len(text) > MAX_VALUE_CHARS:
            dropped.append(Unrecognised(name, (text[:40] + "...",)))
        elif name in LIST_CHOICES:
            known = (
                (*LIST_CHOICES[name], NO_RED_FLAGS) if name == "red_flags" else LIST_CHOICES[name]
            )
            entries = list(dict.fromkeys(item for item in text.split(",") if item))
            good = [item for item in entries if item in known]
            if NO_RED_FLAGS in good and len(good) > 1:  # a tick outweighs "none of these"
                good.remove(NO_RED_FLAGS)
            bad = tuple(item for item in entries if item not in known)
            if bad:
                dropped.append(Unrecognised(name, bad))
            if good:
                kept[name] = ",".join(good)
        elif name in CHOICES and text not in CHOICES[name]:
            dropped.append(Unrecognised(name, (text,)))
        elif name in _ANSWER_PARAMS or name == STEP_PARAM:
            kept[name] = text
        else:
            dropped.append(Unrecognised(name, (text,)))
    return kept, tuple(dropped)


def param_of(field: str) -> str:
    """The query parameter an `AnswersError` field is about ('measurements.knee_cm' -> 'knee_cm')."""
    return field.removeprefix("measurements.")


def _list(name: str, text: str) -> list[str]:
    items = text.split(",")
    if any(not item for item in items):
        raise AnswersError(name, "has an empty entry; separate the values with single commas")
    if NO_RED_FLAGS in items and name == "red_flags":
        raise AnswersError(name, "'none' cannot be listed with other warning signs")
    return items


def _number(field: str, text: str) -> float:
    if not _NUMBER.match(text):
        raise AnswersError(field, f"{text[:40]!r} is not a number")
    return float(text)


def _number_text(number: float) -> str:
    # repr keeps every digit, so a link reads back as exactly the number it was made from.
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
