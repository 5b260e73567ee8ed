"""The safety screen (SPEC section 2): triage before any scoring, and product cautions.

Both read `data/safety.toml`, where every rule records its source. Nothing downstream (weights,
boosts, the model) can change what is decided here: the engine applies these decisions after
scoring, as hard filters. Its texts are templates filled in once with the shop's region's care
words (`data/regions.toml`): the emergency number, where to go, what the doctor is called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recommender.catalog.products import SAFETY_PROPERTIES, Catalog
from recommender.shopper.answers import Answers
from recommender.shopper.conditions import Condition, ConditionMatrix, TableChecker, load_book
from recommender.shopper.features import feature_label, join_words
from recommender.shopper.region import Region, region_for
from recommender.shopper.result import TRIAGE_LEVELS, Triage

SAFETY_TABLE = "safety.toml"
_HELD_BACK = "We are not suggesting any products, because getting checked comes first."
_MEANWHILE = "The products below are only for comfort until you are seen."
# `told = "{evidence}"` is filled per shopper, never by the region.
_EVIDENCE = "{evidence}"
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
    # Who to see, when it is not the level's usual person (a podiatrist for the diabetic foot).
    next_step: str = ""

    def told_for(self, features: frozenset[str]) -> tuple[str, ...]:
        """What the shopper told us; `{evidence}` names only the answers they actually gave."""
        if self.told != _EVIDENCE:
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
            return Triage("none", (), self.core)
        # Products are mentioned only when the page shows some (or says why it shows none).
        if not self.shows_products:
            return Triage(self.level, self.flags, f"{self.core} {_HELD_BACK}", True)
        ending = f" {_MEANWHILE}" if shown else ""
        return Triage(self.level, self.flags, f"{self.core}{ending}")


@dataclass(frozen=True, slots=True)
class CareNote:
    """A line the no-warning-signs banner adds when its condition holds (diabetes: foot checks),
    so that banner never reads as "no clinician needed" beside a caution to see one."""

    id: str
    condition: Condition
    text: str
    source: str


@dataclass(frozen=True)
class SafetyBook:
    """The safety table (SPEC section 2), checked and compiled."""

    triage_rules: tuple[TriageRule, ...]
    cautions: tuple[Caution, ...]
    # What to do first, by level, in the region's words; "none" is the whole calm banner.
    next_steps: dict[str, str] = field(default_factory=dict)
    care_notes: tuple[CareNote, ...] = ()
    region: Region = field(default_factory=lambda: region_for(None))
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
            notes = [note.text for note in self.care_notes if note.condition.holds(features)]
            calm = " ".join([self.next_steps["none"], *notes])
            return Screen("none", (), calm, shows_products=True)
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
            core = " ".join(
                [self._next_step(level, top), f"You told us about {join_words(named)}.", *whys]
            )
            if kept <= 2 or len(core) + _LONGEST_ENDING <= MAX_MESSAGE_CHARS:
                return Screen(level, tuple(rule.id for rule in hits), core, shows_products=shows)
            kept -= 1

    def _next_step(self, level: str, top: list[TriageRule]) -> str:
        """The level's first sentence, or the one every rule at that level names instead."""
        own = {rule.next_step for rule in top}
        return own.pop() if len(own) == 1 and "" not in own else self.next_steps[level]

    def active_cautions(self, features: frozenset[str]) -> tuple[Caution, ...]:
        """The cautions that hold for these features."""
        holding = self._caution_conditions.holding(features)
        return tuple(c for c, h in zip(self.cautions, holding, strict=True) if h)


def load_safety_book(
    table: dict[str, Any] | None = None, region: Region | None = None
) -> SafetyBook:
    """The bundled safety screen (checked once per process and region) or `table`, for tests,
    in the care words of `region` (default: GB)."""
    return load_book(SAFETY_TABLE, _safety_book, table, region or region_for(None))


def _safety_book(data: dict[str, Any], region: Region) -> SafetyBook:
    checker = TableChecker(SAFETY_TABLE)
    rows = [*data.get("triage", []), *data.get("caution", []), *data.get("care_note", [])]
    checker.unique(e.get("id", "") for e in rows)
    steps = data.get("next_step", {})
    for level in ("none", *TRIAGE_LEVELS[1:]):
        if not steps.get(level):
            checker.problem("[next_step]", f"needs '{level}'")
    book = SafetyBook(
        triage_rules=tuple(_triage_rule(e, checker, region) for e in data.get("triage", [])),
        cautions=tuple(_caution(e, checker, region) for e in data.get("caution", [])),
        next_steps={
            level: checker.text(steps, level, "[next_step]", region)
            for level in steps
            if isinstance(steps.get(level), str)
        },
        care_notes=tuple(_care_note(e, checker, region) for e in data.get("care_note", [])),
        region=region,
    )
    checker.raise_if_any()
    return book


def _care_note(entry: dict[str, Any], checker: TableChecker, region: Region) -> CareNote:
    where = f"care_note '{entry.get('id', '?')}'"
    _require(entry, where, ("text", "source"), checker)
    return CareNote(
        id=entry.get("id", ""),
        condition=checker.condition(entry, where),
        text=checker.text(entry, "text", where, region),
        source=entry.get("source", ""),
    )


def _triage_rule(entry: dict[str, Any], checker: TableChecker, region: Region) -> TriageRule:
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
        told=checker.text(entry, "told", where, region, keep=("evidence",)),
        why=checker.text(entry, "why", where, region),
        source=entry.get("source", ""),
        always_said=entry.get("always_said") is True,
        next_step=checker.text(entry, "next_step", where, region),
    )


def _caution(entry: dict[str, Any], checker: TableChecker, region: Region) -> Caution:
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
        why=checker.text(entry, "why", where, region),
        source=entry.get("source", ""),
    )


def _require(
    entry: dict[str, Any], where: str, keys: tuple[str, ...], checker: TableChecker
) -> None:
    for key in keys:
        if not entry.get(key):
            checker.problem(where, f"needs '{key}'")
