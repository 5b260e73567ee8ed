"""The safety screen (SPEC section 2): triage before any scoring, and product cautions.

Both read `data/safety.toml`, where every rule records its source. Nothing downstream (weights,
boosts, the model) can change what is decided here: the engine applies these decisions after
scoring, as hard filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.catalog.products import SAFETY_PROPERTIES, Catalog
from recommender.shopper.answers import Answers
from recommender.shopper.conditions import Condition, ConditionMatrix, TableChecker, load_book
from recommender.shopper.features import feature_label, join_words
from recommender.shopper.result import TRIAGE_LEVELS, Triage

SAFETY_TABLE = "safety.toml"
# What to do, first, in calm words: the emergency number now, a doctor today, a GP soon.
_NEXT_STEP = {
    "emergency": "Please call 999 (or your local emergency number) or go to A&E now.",
    "urgent": "Please see a doctor today: your GP, an urgent care centre or NHS 111.",
    "see_clinician": "Please book to see your GP or a physiotherapist soon about this.",
}
_HELD_BACK = "We are not suggesting any products, because getting checked comes first."
_MEANWHILE = "The products below are only for comfort until you are seen."
NO_CONCERNS = (
    "Nothing in your answers needs a clinician first. If your pain lasts or gets worse, see one."
)
# Triage features carry fixed words, so their labels need no answers to fill in.
_NO_ANSWERS = Answers()
# A message names at most this many answers and reasons, so it stays short enough to read.
_MAX_TOLD = 3
_MAX_WHY = 1
# ... and at most this many characters, its last sentence included (a phone shows it whole).
MAX_MESSAGE_CHARS = 500
_LONGEST_ENDING = 1 + max(len(_HELD_BACK), len(_MEANWHILE))


@dataclass(frozen=True, slots=True)
class TriageRule:
    """One red-flag row: when it applies, its level and what to tell the shopper."""

    id: str
    condition: Condition
    level: str
    shows_products: bool
    told: str
    why: str
    source: str
    always_said: bool = False

    def told_for(self, features: frozenset[str]) -> tuple[str, ...]:
        """What the shopper told us; `{evidence}` names only the answers they actually gave."""
        if self.told != "{evidence}":
            return (self.told,)
        return tuple(feature_label(f, _NO_ANSWERS) for f in self.condition.evidence(features))


@dataclass(frozen=True, slots=True)
class Caution:
    """One product caution: when it applies, which products it holds back, and why."""

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
    """The outcome of triage: the level, why, and whether products may be shown.

    The message's last sentence depends on what the page ends up showing, so it is finished by
    `triage_for` once the engine knows how many products are shown.
    """

    level: str
    flags: tuple[str, ...]
    core: str
    shows_products: bool

    @property
    def triage(self) -> Triage:
        """The triage as shown when no product is listed (a safety stop)."""
        return self.triage_for(0)

    def triage_for(self, shown: int) -> Triage:
        """The triage to show, given how many products are shown."""
        if self.level == "none":
            return Triage("none", (), NO_CONCERNS)
        # Products are mentioned only when the page shows some (or says why it shows none).
        if not self.shows_products:
            return Triage(self.level, self.flags, f"{self.core} {_HELD_BACK}", True)
        ending = f" {_MEANWHILE}" if shown else ""
        return Triage(self.level, self.flags, f"{self.core}{ending}")


@dataclass(frozen=True)
class SafetyBook:
    """The safety table (SPEC section 2), checked and compiled."""

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
        """The red flags that hold for these features, and the highest level."""
        holding = self._triage_conditions.holding(features)
        hits = [rule for rule, h in zip(self.triage_rules, holding, strict=True) if h]
        if not hits:
            return Screen("none", (), NO_CONCERNS, shows_products=True)
        level = max((rule.level for rule in hits), key=TRIAGE_LEVELS.index)
        top = [rule for rule in hits if rule.level == level]
        shows = level == "see_clinician" and all(rule.shows_products for rule in top)
        # The most serious answers are named first, those behind the reason given leading, so a
        # shortened list still names them; past a few, "other answers" keeps it short.
        ordered = sorted(
            hits, key=lambda rule: (-TRIAGE_LEVELS.index(rule.level), not rule.always_said)
        )
        told = list(dict.fromkeys(phrase for rule in ordered for phrase in rule.told_for(features)))
        # A why that tells the shopper when to call the emergency number is never cut.
        first = sorted(top, key=lambda rule: not rule.always_said)
        whys = list(dict.fromkeys(rule.why for rule in first))[:_MAX_WHY]
        kept = min(len(told), _MAX_TOLD)
        while True:  # fewer answers named (never fewer than one) until the message fits
            named = told if kept == len(told) else [*told[: kept - 1], "other answers"]
            core = " ".join([_NEXT_STEP[level], f"You told us about {join_words(named)}.", *whys])
            if kept <= 2 or len(core) + _LONGEST_ENDING <= MAX_MESSAGE_CHARS:
                return Screen(level, tuple(rule.id for rule in hits), core, shows_products=shows)
            kept -= 1

    def active_cautions(self, features: frozenset[str]) -> tuple[Caution, ...]:
        """The cautions that hold for these features."""
        holding = self._caution_conditions.holding(features)
        return tuple(c for c, h in zip(self.cautions, holding, strict=True) if h)


def load_safety_book(table: dict[str, Any] | None = None) -> SafetyBook:
    """The bundled safety screen (checked once per process) or `table`, for tests."""
    return load_book(SAFETY_TABLE, _safety_book, table)


def _safety_book(data: dict[str, Any]) -> SafetyBook:
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
    if level not in TRIAGE_LEVELS[1:]:
        checker.problem(where, f"level '{level}' must be one of {', '.join(TRIAGE_LEVELS[1:])}")
    _require(entry, where, ("told", "why", "source"), checker)
    return TriageRule(
        id=entry.get("id", ""),
        condition=checker.condition(entry, where),
        level=level,
        shows_products=bool(entry.get("shows_products", False)) and level == "see_clinician",
        told=entry.get("told", ""),
        why=entry.get("why", ""),
        source=entry.get("source", ""),
        always_said=entry.get("always_said") is True,
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
        # `always = true`: a caution every shopper reads on those products (magnets, NCCIH).
        condition=Condition() if entry.get("always") is True else checker.condition(entry, where),
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
