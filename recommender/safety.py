"""The safety screen (SPEC section 2): triage before any scoring, and product cautions.

Both read `data/safety.toml`, where every rule records its source. Nothing downstream (weights,
boosts, the model) can change what is decided here: the engine applies these decisions after
scoring, as hard filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.catalog import SAFETY_PROPERTIES, Catalog
from recommender.conditions import Condition, ConditionMatrix, TableChecker, read_table
from recommender.features import join_words
from recommender.result import Triage

SAFETY_TABLE = "safety.toml"
LEVELS = ("none", "see_clinician", "urgent", "emergency")
_NEXT_STEP = {
    "emergency": "Please call your local emergency number or go to an emergency department now.",
    "urgent": "Please see a doctor today: your GP, an urgent care centre, or a phone line such as NHS 111.",
    "see_clinician": "Please arrange to see a clinician, such as your GP or a physiotherapist, about this.",
}
_HELD_BACK = "We are not suggesting any products, because getting checked comes first."
_MEANWHILE = "The products below are only for comfort in the meantime."
NO_CONCERNS = (
    "Nothing in your answers needs a clinician first. If your pain lasts or gets worse, see one."
)


@dataclass(frozen=True, slots=True)
class TriageRule:
    id: str
    condition: Condition
    level: str
    shows_products: bool
    told: str
    why: str
    source: str


@dataclass(frozen=True, slots=True)
class Caution:
    id: str
    condition: Condition
    property: str | None
    categories: tuple[str, ...]
    excludes: bool
    why: str
    source: str

    def applies_to(self, catalog: Catalog) -> np.ndarray:
        """Bool per product: is this product one the caution is about."""
        products = catalog.products
        if self.property is not None:
            return products[self.property].to_numpy(dtype=bool)
        return products["category"].isin(self.categories).to_numpy()


@dataclass(frozen=True, slots=True)
class Screen:
    """The outcome of triage: the level and message, and whether products may be shown."""

    triage: Triage
    shows_products: bool


@dataclass(frozen=True)
class SafetyBook:
    triage_rules: tuple[TriageRule, ...]
    cautions: tuple[Caution, ...]
    _triage_conditions: ConditionMatrix = field(init=False, repr=False)
    _caution_conditions: ConditionMatrix = field(init=False, repr=False)

    def __post_init__(self) -> None:
        triage = ConditionMatrix([rule.condition for rule in self.triage_rules])
        cautions = ConditionMatrix([caution.condition for caution in self.cautions])
        object.__setattr__(self, "_triage_conditions", triage)
        object.__setattr__(self, "_caution_conditions", cautions)

    def screen(self, features: frozenset[str]) -> Screen:
        holding = self._triage_conditions.holding(features)
        hits = [rule for rule, h in zip(self.triage_rules, holding, strict=True) if h]
        if not hits:
            return Screen(Triage("none", (), NO_CONCERNS), shows_products=True)
        level = max((rule.level for rule in hits), key=LEVELS.index)
        top = [rule for rule in hits if rule.level == level]
        shows = level == "see_clinician" and all(rule.shows_products for rule in top)
        message = " ".join(
            [
                _NEXT_STEP[level],
                f"You told us about {join_words(rule.told for rule in hits)}.",
                *(rule.why for rule in top),
                _MEANWHILE if shows else _HELD_BACK,
            ]
        )
        return Screen(Triage(level, tuple(rule.id for rule in hits), message), shows_products=shows)

    def active_cautions(self, features: frozenset[str]) -> tuple[Caution, ...]:
        holding = self._caution_conditions.holding(features)
        return tuple(c for c, h in zip(self.cautions, holding, strict=True) if h)


def load_safety_book(table: dict[str, Any] | None = None) -> SafetyBook:
    data = table or read_table(SAFETY_TABLE)
    checker = TableChecker(SAFETY_TABLE)
    checker.unique(e.get("id", "") for e in [*data.get("triage", []), *data.get("caution", [])])
    book = SafetyBook(
        triage_rules=tuple(_triage_rule(e, checker) for e in data.get("triage", [])),
        cautions=tuple(_caution(e, checker) for e in data.get("caution", [])),
    )
    checker.raise_if_any()
    return book


def _triage_rule(entry: dict[str, Any], checker: TableChecker) -> TriageRule:
    where = f"triage '{entry.get('id', '?')}'"
    level = entry.get("level", "")
    if level not in LEVELS[1:]:
        checker.problem(where, f"level '{level}' must be one of {', '.join(LEVELS[1:])}")
    _require(entry, where, ("told", "why", "source"), checker)
    return TriageRule(
        id=entry.get("id", ""),
        condition=checker.condition(entry, where),
        level=level,
        shows_products=bool(entry.get("shows_products", False)) and level == "see_clinician",
        told=entry.get("told", ""),
        why=entry.get("why", ""),
        source=entry.get("source", ""),
    )


def _caution(entry: dict[str, Any], checker: TableChecker) -> Caution:
    where = f"caution '{entry.get('id', '?')}'"
    prop, categories = entry.get("property"), tuple(entry.get("categories", ()))
    if (prop is None) == (not categories):
        checker.problem(where, "needs exactly one of 'property' or 'categories'")
    if prop is not None and prop not in SAFETY_PROPERTIES:
        checker.problem(where, f"property '{prop}' must be one of {', '.join(SAFETY_PROPERTIES)}")
    if entry.get("action") not in ("exclude", "warn"):
        checker.problem(where, "action must be 'exclude' or 'warn'")
    _require(entry, where, ("why", "source"), checker)
    return Caution(
        id=entry.get("id", ""),
        condition=checker.condition(entry, where),
        property=prop,
        categories=categories,
        excludes=entry.get("action") == "exclude",
        why=entry.get("why", ""),
        source=entry.get("source", ""),
    )


def _require(
    entry: dict[str, Any], where: str, keys: tuple[str, ...], checker: TableChecker
) -> None:
    for key in keys:
        if not entry.get(key):
            checker.problem(where, f"needs '{key}'")
