"""Self-care advice from the article (`data/advice.toml`): what fits the shopper's answers.

Texts are templates: `{evidence}` is filled per shopper, the region's care words (`{doctor}`,
`{emergency_number}`, ... see `region.py`) once when the book is loaded for the shop's region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recommender.shopper.answers import Answers
from recommender.shopper.conditions import Condition, ConditionMatrix, TableChecker, load_book
from recommender.shopper.region import Region, region_for
from recommender.shopper.result import Advice

ADVICE_TABLE = "advice.toml"


@dataclass(frozen=True, slots=True)
class AdviceEntry:
    """One row of the advice table: when it applies, what it says and the section it cites."""

    id: str
    condition: Condition
    text: str
    section: str
    source: str = ""  # guidance beyond the article the entry also rests on (e.g. NICE NG59)

    def render(self, answers: Answers, features: frozenset[str]) -> Advice:
        """The advice worded for this shopper."""
        told = self.condition.told(answers, features)
        return Advice(text=self.text.format(evidence=told), section=self.section, rule=self.id)


@dataclass(frozen=True)
class AdviceBook:
    """The advice table, checked and compiled."""

    entries: tuple[AdviceEntry, ...]
    _conditions: ConditionMatrix = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_conditions", ConditionMatrix([e.condition for e in self.entries])
        )

    def for_shopper(self, answers: Answers, features: frozenset[str]) -> tuple[Advice, ...]:
        """The advice that applies to this shopper, in table order."""
        holding = self._conditions.holding(features)
        return tuple(
            e.render(answers, features) for e, h in zip(self.entries, holding, strict=True) if h
        )


def load_advice_book(
    table: dict[str, Any] | None = None, region: Region | None = None
) -> AdviceBook:
    """The bundled advice (checked once per process and region) or `table`, for tests, in the
    care words of `region` (default: GB)."""
    return load_book(ADVICE_TABLE, _advice_book, table, region or region_for(None))


def _advice_book(table: dict[str, Any], region: Region) -> AdviceBook:
    entries = table.get("advice", [])
    checker = TableChecker(ADVICE_TABLE)
    checker.unique(entry.get("id", "") for entry in entries)
    book = AdviceBook(tuple(_entry(entry, checker, region) for entry in entries))
    checker.raise_if_any()
    return book


def _entry(entry: dict[str, Any], checker: TableChecker, region: Region) -> AdviceEntry:
    where = f"advice '{entry.get('id', '?')}'"
    if not entry.get("text"):
        checker.problem(where, "needs text")
    return AdviceEntry(
        id=entry.get("id", ""),
        condition=checker.condition(entry, where),
        text=checker.text(entry, "text", where, region, keep=("evidence",)),
        section=checker.section(entry, where),
        source=entry.get("source", ""),
    )
