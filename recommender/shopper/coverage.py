"""The clinical coverage table (`data/coverage.toml`): what the sources say, and what we do.

Each row is one thing a named source (an NHS page, a NICE guideline, a CKS topic, the Ottawa
knee rule, ...) says about a pain area or the general picture: a red flag, a risk combination,
a contraindication, a guideline placement or a piece of advice. A row says what the product does
about it (the rules that act on it: `triage:`, `caution:`, `advice:` or `guidance:` ids) or why
it is out of scope. Red-flag rows also name the `red_flags` answer that asks about it and the
pain areas it belongs to, so the questionnaire asks each shopper every flag that can apply to
them, grouped into short screens.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from recommender.errors import AnswersError
from recommender.shopper.answers import LIST_CHOICES
from recommender.shopper.conditions import TableChecker, load_book

COVERAGE_TABLE = "coverage.toml"
PAIN_AREAS = LIST_CHOICES["pain_areas"]
# The SPEC section 2 table order: the order flags are asked in.
RED_FLAGS = LIST_CHOICES["red_flags"]
# `areas = ["all"]`: the row applies whatever the shopper said hurts (or if they said nothing).
EVERYONE = "all"
# Where a row is filed: a pain area, or a part of the general picture.
SECTIONS = (*PAIN_AREAS, "age", "pregnancy", "diabetes", "medicines", "falls", "everyone")
KINDS = ("red_flag", "risk_combination", "contraindication", "guideline_placement", "advice")
# Where a rule lives: safety.toml's [[triage]], [[caution]] and [[care_note]], advice.toml, and the
# guidance placements of guidance.py.
RULE_KINDS = ("triage", "caution", "care_note", "advice", "guidance")
# A phone shows about this many tick boxes without scrolling far (issue 19: at most about 8).
MAX_FLAGS_PER_SCREEN = 8


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One thing a source names, and what the product does about it."""

    id: str
    section: str
    kind: str
    what: str
    source: str
    areas: tuple[str, ...]  # pain areas, or (EVERYONE,)
    red_flag: str | None  # the `red_flags` answer that asks about it
    rules: tuple[str, ...]  # "triage:<id>", "caution:<id>", "advice:<id>", "guidance:<id>"
    out_of_scope: str  # why the product does nothing about it (empty when rules act on it)
    question_worth_adding: bool  # out of scope only: would a new question let us act on it
    rule_worth_adding: bool = False  # out of scope only: today's answers would let a rule act
    note: str = ""

    def applies_to(self, pain_areas: frozenset[str]) -> bool:
        """Does this row concern a shopper with these pain areas (none said: everyone)."""
        return EVERYONE in self.areas or not pain_areas or not pain_areas.isdisjoint(self.areas)


@dataclass(frozen=True, slots=True)
class FlagScreen:
    """One screen of red-flag questions: a heading a shopper understands, and its flags."""

    title: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class CoverageTable:
    """The coverage table: its rows, and the screens its red flags are grouped into."""

    rows: tuple[CoverageRow, ...]
    screens: tuple[FlagScreen, ...]

    def flags_for(self, pain_areas: Collection[str] | None) -> tuple[str, ...]:
        """The `red_flags` values to ask with these pain areas, in SPEC section 2 order."""
        areas = _checked_areas(pain_areas)
        asked = {r.red_flag for r in self.rows if r.red_flag and r.applies_to(areas)}
        return tuple(flag for flag in RED_FLAGS if flag in asked)

    def screens_for(self, pain_areas: Collection[str] | None) -> tuple[FlagScreen, ...]:
        """The screens of red flags to ask a shopper with these pain areas (none left empty)."""
        asked = set(self.flags_for(pain_areas))
        kept = (
            FlagScreen(s.title, tuple(f for f in RED_FLAGS if f in s.flags and f in asked))
            for s in self.screens
        )
        return tuple(screen for screen in kept if screen.flags)

    def rule_ids(self) -> frozenset[str]:
        """Every rule the table names, as "kind:id"."""
        return frozenset(rule for row in self.rows for rule in row.rules)


def red_flags_to_ask(pain_areas: Collection[str] | None) -> tuple[str, ...]:
    """The `red_flags` values to ask a shopper with these pain areas, in SPEC section 2 order.

    Those the coverage table ties to one of the areas, and those tied to everyone. A shopper who
    has not said where it hurts (None or empty) is asked all of them.
    """
    return load_coverage().flags_for(pain_areas)


def red_flag_screens(pain_areas: Collection[str] | None) -> tuple[tuple[str, ...], ...]:
    """`red_flags_to_ask(pain_areas)` in screens of at most 8, grouped as a shopper thinks of
    them (nerves and back, injuries and joints, circulation and feeling unwell)."""
    return tuple(screen.flags for screen in load_coverage().screens_for(pain_areas))


def titled_red_flag_screens(pain_areas: Collection[str] | None) -> tuple[FlagScreen, ...]:
    """The screens of `red_flag_screens`, each with its heading."""
    return load_coverage().screens_for(pain_areas)


def load_coverage(table: dict[str, Any] | None = None) -> CoverageTable:
    """The bundled coverage table (checked once per process) or `table`, for tests."""
    return load_book(COVERAGE_TABLE, _coverage_table, table)


def _checked_areas(pain_areas: Collection[str] | None) -> frozenset[str]:
    areas = frozenset(pain_areas or ())
    unknown = sorted(areas.difference(PAIN_AREAS))
    if unknown:
        # A misspelt area must not quietly narrow the questions a shopper is asked.
        raise AnswersError("pain_areas", f"unknown value '{unknown[0]}'")
    return areas


def _coverage_table(data: dict[str, Any]) -> CoverageTable:
    checker = TableChecker(COVERAGE_TABLE)
    entries = data.get("row", [])
    checker.unique(entry.get("id", "") for entry in entries)
    table = CoverageTable(
        rows=tuple(_row(entry, checker) for entry in entries),
        screens=tuple(_screen(entry, checker) for entry in data.get("screen", [])),
    )
    _check_flags(table, checker)
    checker.raise_if_any()
    return table


def _row(entry: dict[str, Any], checker: TableChecker) -> CoverageRow:
    where = f"row '{entry.get('id', '?')}'"

    def field_problem(name: str, message: str) -> None:
        checker.problem(where, f"field '{name}': {message}")

    for name in ("id", "what", "source"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            field_problem(name, "is missing or empty")
    section, kind = entry.get("section"), entry.get("kind")
    if section not in SECTIONS:
        field_problem("section", f"'{section}' must be one of {', '.join(SECTIONS)}")
    if kind not in KINDS:
        field_problem("kind", f"'{kind}' must be one of {', '.join(KINDS)}")
    areas = tuple(entry.get("areas", ()))
    if not areas:
        field_problem("areas", f"name the pain areas it applies to, or ['{EVERYONE}']")
    elif areas != (EVERYONE,):
        for area in areas:
            if area not in PAIN_AREAS:
                field_problem("areas", f"'{area}' must be '{EVERYONE}' or one of the pain areas")
    red_flag = entry.get("red_flag")
    if red_flag is not None and red_flag not in RED_FLAGS:
        field_problem("red_flag", f"'{red_flag}' is not a red_flags answer of SPEC section 2")
    if red_flag is not None and kind != "red_flag":
        field_problem("red_flag", "only a red_flag row asks a red_flags answer")
    rules = tuple(entry.get("rules", ()))
    for rule in rules:
        prefix, _, rule_id = str(rule).partition(":")
        if prefix not in RULE_KINDS or not rule_id:
            field_problem("rules", f"'{rule}' must be one of {', '.join(RULE_KINDS)} then ':id'")
    out_of_scope = entry.get("out_of_scope", "")
    if not rules and not out_of_scope:
        field_problem("rules", "name the rules that act on it, or say why it is out_of_scope")
    if rules and out_of_scope:
        field_problem("out_of_scope", "a row is either acted on or out of scope; split it in two")
    if red_flag is not None and out_of_scope:
        field_problem("red_flag", "a red flag that is asked is not out of scope")
    worth = entry.get("question_worth_adding")
    if out_of_scope and not isinstance(worth, bool):
        field_problem("question_worth_adding", "say true or false for an out-of-scope row")
    rule_worth = entry.get("rule_worth_adding", False)
    if not isinstance(rule_worth, bool) or (rule_worth and not out_of_scope):
        field_problem("rule_worth_adding", "true or false, and only on an out-of-scope row")
    return CoverageRow(
        id=entry.get("id", ""),
        section=section or "",
        kind=kind or "",
        what=entry.get("what", ""),
        source=entry.get("source", ""),
        areas=areas,
        red_flag=red_flag,
        rules=rules,
        out_of_scope=out_of_scope,
        question_worth_adding=worth is True,
        rule_worth_adding=rule_worth is True,
        note=entry.get("note", ""),
    )


def _screen(entry: dict[str, Any], checker: TableChecker) -> FlagScreen:
    title, flags = entry.get("title", ""), tuple(entry.get("flags", ()))
    where = f"screen '{title or '?'}'"
    if not title:
        checker.problem(where, "field 'title': is missing or empty")
    if not flags or len(flags) > MAX_FLAGS_PER_SCREEN:
        checker.problem(where, f"field 'flags': hold 1 to {MAX_FLAGS_PER_SCREEN} red flags")
    for flag in flags:
        if flag not in RED_FLAGS:
            checker.problem(where, f"field 'flags': '{flag}' is not a red_flags answer")
    return FlagScreen(title, flags)


def _check_flags(table: CoverageTable, checker: TableChecker) -> None:
    """Every red flag is asked by some row and sits on exactly one screen."""
    asked = {row.red_flag for row in table.rows}
    placed = [flag for screen in table.screens for flag in screen.flags]
    for flag in RED_FLAGS:
        if flag not in asked:
            checker.problem(f"red flag '{flag}'", "no row asks it, so no shopper would be asked")
        if placed.count(flag) != 1:
            checker.problem(f"red flag '{flag}'", "must sit on exactly one screen")
