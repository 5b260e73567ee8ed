"""The one trigger mechanism behind rules, the safety screen and advice.

A condition holds when every feature in `when` is present, at least one of `any` is (if `any`
is given), and none of `unless` is. Tables are TOML files in `recommender/shopper/data/`; this module
reads them and checks every name they use, so a typo fails loudly at load time.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

import numpy as np

from recommender.errors import Problems
from recommender.shopper.answers import Answers
from recommender.shopper.features import all_feature_names, feature_label, join_words
from recommender.shopper.region import Region, fill, unknown_placeholders
from recommender.shopper.sections import SECTIONS

Book = TypeVar("Book")


@dataclass(frozen=True, slots=True)
class Condition:
    """When a row applies: all of `when`, one of `any` (if given) and none of `unless`."""

    when: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()

    def holds(self, features: frozenset[str]) -> bool:
        """Whether the condition holds for a shopper's features."""
        return (
            all(f in features for f in self.when)
            and (not self.any or any(f in features for f in self.any))
            and not any(f in features for f in self.unless)
        )

    def evidence(self, features: frozenset[str]) -> tuple[str, ...]:
        """The shopper's features that made this condition hold, in the table's order."""
        return tuple(f for f in (*self.when, *self.any) if f in features)

    def told(self, answers: Answers, features: frozenset[str]) -> str:
        """What the shopper told us that made this hold, in plain words ("bunions and ...")."""
        return join_words(feature_label(f, answers) for f in self.evidence(features))


class ConditionMatrix:
    """A table's conditions compiled into 0/1 matrices, so one product checks them all."""

    def __init__(self, conditions: Sequence[Condition]) -> None:
        names = sorted({f for c in conditions for f in (*c.when, *c.any, *c.unless)})
        self._index = {name: column for column, name in enumerate(names)}
        self._when = self._matrix(conditions, "when")
        self._any = self._matrix(conditions, "any")
        self._unless = self._matrix(conditions, "unless")
        self._when_needed = self._when.sum(axis=1)
        self._any_free = self._any.sum(axis=1) == 0

    def _matrix(self, conditions: Sequence[Condition], part: str) -> np.ndarray:
        matrix = np.zeros((len(conditions), len(self._index)))
        for row, condition in enumerate(conditions):
            for name in getattr(condition, part):
                matrix[row, self._index[name]] = 1.0
        matrix.setflags(write=False)  # a bundled table's matrices are shared process-wide
        return matrix

    def holding(self, features: frozenset[str]) -> np.ndarray:
        """Bool per condition, in table order: does it hold for these features."""
        present = np.zeros(len(self._index))
        present[[self._index[f] for f in features if f in self._index]] = 1.0
        return (
            (self._when @ present == self._when_needed)
            & (self._any_free | (self._any @ present > 0))
            & (self._unless @ present == 0)
        )


def read_table(name: str) -> dict[str, Any]:
    """One bundled data table, e.g. `rules.toml`."""
    text = resources.files("recommender.shopper.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_book(
    name: str, build: Callable[..., Book], table: dict[str, Any] | None, *context: Any
) -> Book:
    """`build` over `table` (tests pass their own), or over the bundled table `name`.

    The bundled tables are part of the installed package and cannot change while it runs, so
    each is read and checked once per process (and `context`, such as the shop's region) and
    the same frozen book goes to every caller.
    """
    return build(table, *context) if table else _bundled_book(name, build, *context)


@functools.cache
def _bundled_book(name: str, build: Callable[..., Any], *context: Any) -> Any:
    return build(read_table(name), *context)


class TableChecker:
    """Collects every problem in a data table, so that one load reports them all."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.problems = Problems()
        self._known = all_feature_names()

    def problem(self, where: str, message: str) -> None:
        """Record a problem of the table's row `where`."""
        self.problems.add(f"{self.table_name} {where}: {message}")

    def condition(self, entry: dict[str, Any], where: str) -> Condition:
        """The row's condition, checked against the known features."""
        parts = {key: tuple(entry.get(key, ())) for key in ("when", "any", "unless")}
        for key, names in parts.items():
            for name in names:
                if name not in self._known:
                    self.problem(where, f"'{key}' names unknown feature '{name}'")
        if not parts["when"] and not parts["any"]:
            self.problem(where, "needs at least one feature in 'when' or 'any'")
        return Condition(**parts)

    def section(self, entry: dict[str, Any], where: str) -> str:
        """The row's cited section, checked against the article's headings."""
        section = entry.get("section", "")
        if section not in SECTIONS:
            self.problem(where, f"section '{section}' is not a heading of the article")
        return section

    def text(
        self,
        entry: dict[str, Any],
        key: str,
        where: str,
        region: Region,
        keep: tuple[str, ...] = (),
    ) -> str:
        """`entry[key]`, a template, with the region's care words filled in (`keep` names the
        placeholders filled later); a placeholder nothing fills is a problem of the table."""
        template = entry.get(key, "")
        unknown = unknown_placeholders(template, keep)
        if unknown:
            self.problem(where, f"'{key}' uses unknown placeholder {', '.join(unknown)}")
            return template
        return fill(template, region, keep)

    def unique(self, ids: Iterable[str]) -> None:
        """Record every id used twice."""
        seen: set[str] = set()
        for item_id in ids:
            if item_id in seen:
                self.problem(f"id '{item_id}'", "appears twice")
            seen.add(item_id)

    def raise_if_any(self) -> None:
        """Raise the error listing every problem recorded, if there is one."""
        self.problems.raise_if_any()
