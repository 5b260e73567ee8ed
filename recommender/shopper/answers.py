"""Questionnaire answers (SPEC section 1): validated once, at the edge, into a frozen object.

Inside the package every function takes an `Answers` and trusts it. Raw height and weight
never get past this module: they become a body-mass band and are dropped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from recommender.errors import AnswersError, InputError, short_value

SCHEMA_VERSION = 1
# A real answers object is well under 2 KB; anything far larger is refused before parsing.
MAX_ANSWERS_BYTES = 64 * 1024
# No answer needs a longer number; Python refuses to read ints past 4,300 digits anyway.
MAX_NUMBER_DIGITS = 30

CHOICES: dict[str, tuple[str, ...]] = {
    # `50_64` is revision 1's band: still accepted (old links, API clients, stored sessions),
    # no longer offered, and read as `55_64` wherever a rule turns on 55 (the safe reading).
    "age_band": ("under_16", "16_49", "50_54", "55_64", "65_plus", "50_64"),
    "knee_side": ("left", "right", "both"),
    "knee_pain_site": ("inside", "outside", "front", "back", "all_over", "not_sure"),
    "pain_timing": ("together", "alternating", "one_area", "not_sure"),
    "bunions": ("none", "left", "right", "both", "not_sure"),
    "feet_roll_inward": ("yes", "no", "not_sure"),
    "pain_started": ("under_6_weeks", "6_to_12_weeks", "over_12_weeks", "not_sure"),
}

LIST_CHOICES: dict[str, tuple[str, ...]] = {
    "pain_areas": ("knee", "lower_back", "hip", "foot", "upper_thigh", "back_of_leg"),
    "symptoms": (
        "tight_hamstrings",
        "tight_quads",
        "tight_hips",
        "weak_hips",
        "stiff_hips",
        "shooting_leg_pain",
        "burning_back_of_legs",
        "muscle_spasms",
        "numbness_one_leg",
        "knee_gives_way",
        "swelling_after_activity",
        "numb_feet",
    ),
    "activities": ("running", "walking", "hiking", "gym_lifting", "yoga", "team_sports", "cycling"),
    "habits": (
        "slouching",
        "heavy_bag",
        "high_heels",
        "bends_to_lift",
        "unsupportive_chair",
        "worn_or_flat_shoes",
    ),
    "conditions": (
        "diabetes",
        "poor_circulation",
        "implanted_device",
        "skin_condition",
        "pregnancy",
        "osteoarthritis",
    ),
    "red_flags": (
        "bladder_bowel_change",
        "saddle_numbness",
        "both_legs_weak_or_numb",
        "cold_pale_foot",
        "major_trauma",
        "hot_swollen_joint",
        "worsening_leg_weakness",
        "cannot_bear_weight",
        "knee_locked",
        "calf_swelling",
        "fever_or_unwell",
        "weight_loss_or_cancer",
        "foot_wound_with_diabetes",
        "sciatica_both_legs",
        "numbness_getting_worse",
        "back_swelling_or_deformity",
        "night_pain",
    ),
    "risk_factors": (
        "osteoporosis",
        "long_term_steroids",
        "weakened_immunity",
        "injects_drugs",
        "recent_fall",
        "recent_knee_injury",
    ),
}

# Values still accepted but no longer offered by the questionnaire (SPEC section 1 revision 3).
RETIRED_CHOICES: dict[str, tuple[str, ...]] = {"age_band": ("50_64",)}

# (low, high, low_inclusive): the accepted range of each number field.
NUMBER_RANGES: dict[str, tuple[float, float, bool]] = {
    "sitting_hours": (0.0, 24.0, True),
    "height_cm": (100.0, 250.0, True),
    "weight_kg": (25.0, 350.0, True),
    "budget_max": (0.0, math.inf, False),
}

# Body measurements (SPEC section 1), each an inclusive range; the sizes issue will read them.
MEASUREMENT_RANGES: dict[str, tuple[float, float]] = {
    "knee_cm": (20.0, 80.0),
    "thigh_cm": (25.0, 100.0),
    "calf_cm": (20.0, 70.0),
    "waist_cm": (40.0, 200.0),
    "shoe_eu": (30.0, 52.0),
}

BODY_MASS_BANDS = ("below_typical", "typical", "above_typical", "high")
# Derived fields may appear in stored answers (the feedback store) but never in a shopper's.
DERIVED_FIELDS = ("body_mass_band",)
ANSWER_FIELDS = ("schema_version", *CHOICES, *LIST_CHOICES, *NUMBER_RANGES, "measurements")


_NO_MEASUREMENTS: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Answers:
    """One shopper's validated answers. `None` or an empty set means "not answered"."""

    age_band: str | None = None
    pain_areas: frozenset[str] = frozenset()
    knee_side: str | None = None
    knee_pain_site: str | None = None
    pain_timing: str | None = None
    symptoms: frozenset[str] = frozenset()
    bunions: str | None = None
    feet_roll_inward: str | None = None
    sitting_hours: float | None = None
    activities: frozenset[str] = frozenset()
    habits: frozenset[str] = frozenset()
    body_mass_band: str | None = None
    conditions: frozenset[str] = frozenset()
    red_flags: frozenset[str] = frozenset()
    pain_started: str | None = None
    risk_factors: frozenset[str] = frozenset()
    # Read-only view of {measure: value}; empty when none was given.
    measurements: Mapping[str, float] = field(default_factory=lambda: _NO_MEASUREMENTS)
    budget_max: float | None = None

    def to_record(self) -> dict[str, Any]:
        """The answers as a JSON-ready dict safe to store: no raw height or weight."""
        record: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for answer in fields(self):
            value = getattr(self, answer.name)
            if value is None or (not isinstance(value, float | str) and not value):
                continue
            if answer.name == "measurements":
                given = self.measurements
                value = {name: given[name] for name in MEASUREMENT_RANGES if name in given}
            elif isinstance(value, frozenset):
                value = sorted(value, key=LIST_CHOICES[answer.name].index)
            record[answer.name] = value
        return record

    def replace(self, **changes: Any) -> Answers:
        """A copy with some answers changed (used for suggestions such as a higher budget)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Answers(**values)


def body_mass_band(height_cm: float, weight_kg: float) -> str:
    """Band of the body-mass index; the usual adult cut-offs of 18.5, 25 and 30."""
    index = weight_kg / (height_cm / 100.0) ** 2
    if index < 18.5:
        return "below_typical"
    if index < 25:
        return "typical"
    if index < 30:
        return "above_typical"
    return "high"


def parse_answers(raw: Any, *, allow_derived: bool = False) -> Answers:
    """Validate a decoded answers object into `Answers`, or raise `AnswersError` naming the field.

    `allow_derived` accepts `body_mass_band`, which stored answers carry instead of height and
    weight; a shopper's own answers never may.
    """
    if not isinstance(raw, dict):
        raise AnswersError("(top level)", f"expected a JSON object, got {_type_name(raw)}")
    allowed = set(ANSWER_FIELDS) | (set(DERIVED_FIELDS) if allow_derived else set())
    for name in raw:
        if name not in allowed:
            raise AnswersError(str(name), "is not a known field")
    version = raw.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int or version != SCHEMA_VERSION:
        raise AnswersError("schema_version", f"must be {SCHEMA_VERSION}, got {version!r}")

    values: dict[str, Any] = {}
    for name, choices in CHOICES.items():
        if name in raw:
            values[name] = _choice(name, raw[name], choices)
    for name, choices in LIST_CHOICES.items():
        if name in raw:
            values[name] = _choice_list(name, raw[name], choices)
    numbers = {name: _number(name, raw[name]) for name in NUMBER_RANGES if name in raw}
    if "sitting_hours" in numbers:
        values["sitting_hours"] = numbers["sitting_hours"]
    if "budget_max" in numbers:
        values["budget_max"] = numbers["budget_max"]
    values["body_mass_band"] = _body_mass(raw, numbers, allow_derived)
    if "measurements" in raw:
        values["measurements"] = _measurements(raw["measurements"])
    return Answers(**values)


def parse_answers_json(text: str | bytes, *, source: str = "answers") -> Answers:
    """Decode and validate one answers document, refusing oversized input before parsing it."""
    if len(text) > MAX_ANSWERS_BYTES:
        raise InputError(
            f"{source}: {len(text):,} bytes is larger than the {MAX_ANSWERS_BYTES:,} allowed"
        )
    try:
        raw = decode_json(text, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        raise InputError(f"{source}: not valid JSON ({error.msg})") from None
    return parse_answers(raw)


def decode_json(text: str | bytes, **options: Any) -> Any:
    """`json.loads` for untrusted text: every way it can fail is one `json.JSONDecodeError`.

    Besides malformed JSON that covers text that is not UTF-8, nesting deep enough to exhaust
    the stack, and numbers too long to be answers (which would otherwise raise a bare
    ValueError or OverflowError far from the line that held them). Shared by every reader of
    answers JSON: the CLI, personas and the feedback import.
    """
    try:
        return json.loads(text, parse_int=_whole_number, parse_float=_decimal, **options)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", "", 0) from None
    except (ValueError, OverflowError) as error:  # also UnicodeDecodeError
        raise json.JSONDecodeError(str(error), "", 0) from None


def _whole_number(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number {len(digits):,} digits long is too long")
    return int(digits)


def _decimal(text: str) -> float:
    if len(text) > 4 * MAX_NUMBER_DIGITS:
        raise ValueError(f"a number {len(text):,} characters long is too long")
    return float(text)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A key given twice would silently keep the last value; the shopper meant one of them.
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise AnswersError(name, "is given twice")
        found[name] = value
    return found


def _body_mass(raw: dict, numbers: dict[str, float], allow_derived: bool) -> str | None:
    has_height, has_weight = "height_cm" in numbers, "weight_kg" in numbers
    if has_height and has_weight:
        return body_mass_band(numbers["height_cm"], numbers["weight_kg"])
    if allow_derived and "body_mass_band" in raw:
        return _choice("body_mass_band", raw["body_mass_band"], BODY_MASS_BANDS)
    return None  # one of the two alone says nothing about body mass


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise AnswersError(name, f"expected text, got {_type_name(value)}")
    if value not in choices:
        raise AnswersError(name, f"{short_value(value)} is not one of {', '.join(choices)}")
    return value


def _choice_list(name: str, value: Any, choices: tuple[str, ...]) -> frozenset[str]:
    if not isinstance(value, list):
        raise AnswersError(name, f"expected a list, got {_type_name(value)}")
    seen: set[str] = set()
    for item in value:
        item = _choice(name, item, choices)
        if item in seen:
            raise AnswersError(name, f"'{item}' is listed twice")
        seen.add(item)
    return frozenset(seen)


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswersError(name, f"expected a number, got {_type_name(value)}")
    low, high, low_inclusive = NUMBER_RANGES[name]
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float: no answer is that big
        raise AnswersError(name, f"{short_value(value)} is out of range") from None
    if not math.isfinite(number):
        # json reads NaN and Infinity although JSON has no such numbers; no answer means them.
        raise AnswersError(name, f"expected a finite number, got {value!r}")
    too_low = number < low if low_inclusive else number <= low
    if too_low or number > high:
        bound = f"from {low:g}" if low_inclusive else f"above {low:g}"
        upper = f" to {high:g}" if math.isfinite(high) else ""
        raise AnswersError(name, f"{short_value(value)} is out of range (must be {bound}{upper})")
    return number


def _measurements(value: Any) -> Mapping[str, float]:
    if not isinstance(value, dict):
        raise AnswersError("measurements", f"expected an object, got {_type_name(value)}")
    found: dict[str, float] = {}
    for name, number in value.items():
        where = f"measurements.{name}"
        if name not in MEASUREMENT_RANGES:
            raise AnswersError(where, f"is not one of {', '.join(MEASUREMENT_RANGES)}")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise AnswersError(where, f"expected a number, got {_type_name(number)}")
        low, high = MEASUREMENT_RANGES[name]
        if not math.isfinite(number) or not low <= number <= high:
            raise AnswersError(
                where, f"{short_value(number)} is out of range (must be {low:g} to {high:g})"
            )
        found[name] = float(number)
    return MappingProxyType(found)


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
