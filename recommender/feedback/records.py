"""The rows of the feedback store as typed records, and the checks every row passes on its way in.

The same checks serve the app's writes and CSV imports, so both refuse the same things. A check
raises `FieldProblem` naming the column; the caller adds where the value came from.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from recommender.errors import AnswersError, short_value
from recommender.feedback import columns as col
from recommender.shopper.answers import MAX_ANSWERS_BYTES, decode_json, parse_answers

MAX_ID_LENGTH = 200
# Far beyond any list a shopper scrolls, and well inside every database's INTEGER.
MAX_POSITION = 10_000
MAX_CLIENT_LENGTH = 64
# The store keeps no personal details (SPEC section 5); an upstream system that keys its
# sessions by the shopper's e-mail address must not smuggle one in through an id column.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FieldProblem(ValueError):
    """One column of one row holds a value the store refuses."""

    def __init__(self, column: str, problem: str) -> None:
        self.column = column
        self.problem = problem
        super().__init__(f"column '{column}': {problem}")


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One shown recommendation: the (privacy-safe) answers and how the list was chosen."""

    session_id: str
    created_at: datetime
    answers: Mapping[str, Any]
    triage_level: str
    model_version: str
    policy: str
    experiment: str | None = None
    client: str = col.FINDER


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a shopper saw or did; `propensity` is None when unknown."""

    session_id: str
    ts: datetime
    sku: str
    position: int
    event: str
    propensity: float | None = None


@dataclass(frozen=True, slots=True)
class Impression:
    """One product shown at a 1-based position, with the chance the policy put it there."""

    sku: str
    position: int
    propensity: float


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def parse_timestamp(column: str, text: str) -> datetime:
    """An ISO 8601 time with an explicit offset (`Z` or `+00:00`), as an aware UTC datetime."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FieldProblem(column, f"{short_value(text)} is not an ISO 8601 time") from None
    return check_timestamp(column, value)


def check_timestamp(column: str, value: datetime) -> datetime:
    """`value` if it carries a time zone; FieldProblem naming `column` otherwise."""
    if value.tzinfo is None or value.utcoffset() is None:
        # A time without an offset is ambiguous; guessing would shift events by hours.
        raise FieldProblem(column, f"{value.isoformat()} has no UTC offset (end it with Z)")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise FieldProblem(column, f"{value.isoformat()} is out of range") from None


def format_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the microsecond, as the exchange files carry it."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_text(column: str, value: Any) -> str:
    """`value` if it is non-empty text that no spreadsheet would run; FieldProblem otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise FieldProblem(column, "must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise FieldProblem(column, f"is longer than {MAX_ID_LENGTH} characters")
    if value.startswith(FORMULA_STARTS):
        raise FieldProblem(
            column,
            f"{short_value(value)} starts with '{value[0]}', which a spreadsheet would run as a "
            "formula; ids and names may not start with = + - @",
        )
    if not value.isprintable():
        # PostgreSQL refuses NUL in text, and a hidden character makes two ids look alike.
        raise FieldProblem(column, f"{short_value(value)} holds a control character")
    if _EMAIL.search(value):
        raise FieldProblem(
            column, "looks like an e-mail address; the store keeps no personal details"
        )
    return value


def neutralise_formula(value: str) -> str:
    """The cell as a spreadsheet shows it but never runs it: a leading quote makes it text.

    Imports refuse such values, but rows stored before that rule (or by another tool) may hold
    them, and an export must not hand a formula to the next person who opens the file.
    """
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def check_client(value: Any) -> str:
    """A session's client: `finder`, `public`, or an API key's id (never a key)."""
    client = check_text(col.CLIENT, value)
    if len(client) > MAX_CLIENT_LENGTH:
        raise FieldProblem(col.CLIENT, f"is longer than {MAX_CLIENT_LENGTH} characters")
    return client


def check_choice(column: str, value: Any, choices: tuple[str, ...]) -> str:
    """`value` if it is one of `choices`; FieldProblem naming `column` otherwise."""
    if value not in choices:
        raise FieldProblem(column, f"{short_value(value)} is not one of {', '.join(choices)}")
    return value


def check_position(value: Any) -> int:
    """`value` if it is a position from 1 up; FieldProblem otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_POSITION:
        raise FieldProblem(
            col.POSITION, f"{short_value(value)} is not a whole number from 1 to {MAX_POSITION:,}"
        )
    return value


def parse_position(text: str) -> int:
    """A position read from a CSV cell; FieldProblem when it is not one."""
    try:
        number = int(text)
    except ValueError:
        raise FieldProblem(col.POSITION, f"{short_value(text)} is not a whole number") from None
    return check_position(number)


def check_propensity(value: Any) -> float | None:
    """`value` if it is a propensity in (0, 1] or None; FieldProblem otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldProblem(col.PROPENSITY, f"{short_value(value)} is not a number")
    if not (math.isfinite(value) and 0.0 < value <= 1.0):
        raise FieldProblem(col.PROPENSITY, f"{value!r} is outside (0, 1]")
    return float(value)


def parse_propensity(text: str) -> float | None:
    """A propensity read from a CSV cell (empty = unknown); FieldProblem when bad."""
    if text == "":
        return None  # empty means "unknown", as SPEC section 5 allows
    try:
        number = float(text)
    except ValueError:
        raise FieldProblem(col.PROPENSITY, f"{short_value(text)} is not a number") from None
    return check_propensity(number)


def safe_answers(raw: Any) -> dict[str, Any]:
    """Stored answers: validated, with any raw height/weight turned into a body-mass band."""
    try:
        return parse_answers(raw, allow_derived=True).to_record()
    except AnswersError as error:
        raise FieldProblem(col.ANSWERS, str(error)) from None


def parse_answers_text(text: str) -> dict[str, Any]:
    """The answers JSON of a CSV cell as a dict; FieldProblem when too long or not an object."""
    if len(text) > MAX_ANSWERS_BYTES:
        raise FieldProblem(col.ANSWERS, f"longer than the {MAX_ANSWERS_BYTES:,} allowed")
    try:
        raw = decode_json(text)
    except json.JSONDecodeError as error:
        raise FieldProblem(col.ANSWERS, f"not valid JSON ({error.msg})") from None
    return safe_answers(raw)


def answers_json(record: Mapping[str, Any]) -> str:
    """Answers as compact JSON, as the store keeps them."""
    return json.dumps(dict(record), separators=(",", ":"))


def session_fields(r: SessionRecord) -> dict[str, Any]:
    """A session's columns by name, as the store holds them (the answers as JSON text)."""
    return {
        col.SESSION_ID: r.session_id,
        col.CREATED_AT: r.created_at,
        col.ANSWERS: answers_json(r.answers),
        col.TRIAGE_LEVEL: r.triage_level,
        col.MODEL_VERSION: r.model_version,
        col.POLICY: r.policy,
        col.EXPERIMENT: r.experiment,
        col.CLIENT: r.client,
    }


def event_fields(e: Event) -> dict[str, Any]:
    """An event's columns by name, as the store holds them."""
    return {
        col.SESSION_ID: e.session_id,
        col.TS: e.ts,
        col.SKU: e.sku,
        col.POSITION: e.position,
        col.EVENT: e.event,
        col.PROPENSITY: e.propensity,
    }


def session_cells(fields: Mapping[str, Any]) -> list[Any]:
    """A stored session as one row of sessions.csv (SPEC section 5), safe to open anywhere."""
    # Ids and model versions are the only free text; the answers cell starts with "{".
    return [
        neutralise_formula(fields[col.SESSION_ID]),
        format_timestamp(fields[col.CREATED_AT]),
        fields[col.ANSWERS],
        fields[col.TRIAGE_LEVEL],
        neutralise_formula(fields[col.MODEL_VERSION]),
        fields[col.POLICY],
    ]


def session_file_cells(fields: Mapping[str, Any]) -> list[Any]:
    """A stored session as one row of an exported sessions.csv: SPEC 5's columns and client."""
    return [*session_cells(fields), neutralise_formula(fields[col.CLIENT])]


def event_cells(fields: Mapping[str, Any]) -> list[Any]:
    """A stored event as one row of events.csv (SPEC section 5), safe to open anywhere."""
    propensity = fields[col.PROPENSITY]
    return [
        neutralise_formula(fields[col.SESSION_ID]),
        format_timestamp(fields[col.TS]),
        neutralise_formula(fields[col.SKU]),
        fields[col.POSITION],
        fields[col.EVENT],
        # repr() of a float reads back as the very same float; empty means "unknown".
        "" if propensity is None else repr(float(propensity)),
    ]


def session_from_row(row: Mapping[str, str]) -> SessionRecord:
    """A session from one CSV row of strings; raises `FieldProblem` at the first bad column."""
    return SessionRecord(
        session_id=check_text(col.SESSION_ID, row[col.SESSION_ID]),
        created_at=parse_timestamp(col.CREATED_AT, row[col.CREATED_AT]),
        answers=parse_answers_text(row[col.ANSWERS]),
        triage_level=check_choice(col.TRIAGE_LEVEL, row[col.TRIAGE_LEVEL], col.TRIAGE_LEVELS),
        model_version=check_text(col.MODEL_VERSION, row[col.MODEL_VERSION]),
        policy=check_choice(col.POLICY, row[col.POLICY], col.POLICIES),
        # Files made before revision 3 have no such column: those sessions are the finder's.
        client=check_client(row.get(col.CLIENT) or col.FINDER),
    )


def event_from_row(row: Mapping[str, str]) -> Event:
    """An event from one CSV row of strings; raises `FieldProblem` at the first bad column."""
    return Event(
        session_id=check_text(col.SESSION_ID, row[col.SESSION_ID]),
        ts=parse_timestamp(col.TS, row[col.TS]),
        sku=check_text(col.SKU, row[col.SKU]),
        position=parse_position(row[col.POSITION]),
        event=check_choice(col.EVENT, row[col.EVENT], col.EVENT_KINDS),
        propensity=parse_propensity(row[col.PROPENSITY]),
    )


def checked_event(event: Event) -> Event:
    """The same event if every field is acceptable (used for the app's own writes)."""
    check_text(col.SESSION_ID, event.session_id)
    check_text(col.SKU, event.sku)
    check_position(event.position)
    check_choice(col.EVENT, event.event, col.EVENT_KINDS)
    check_propensity(event.propensity)
    return Event(
        event.session_id,
        check_timestamp(col.TS, event.ts),
        event.sku,
        event.position,
        event.event,
        None if event.propensity is None else float(event.propensity),
    )
