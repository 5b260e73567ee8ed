"""The article's product rules (`data/rules.toml`), loaded into one checked, frozen rule book.

A rule's `says` names no kind of product, so it is true on every product the rule favours.
What is true of one category only goes in `product_says`, keyed by that category; the loader
checks both with `recommender.shopper.kinds`, so a sentence about braces can never reach an insole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from recommender.catalog.products import CATEGORIES
from recommender.shopper.answers import Answers
from recommender.shopper.conditions import Condition, ConditionMatrix, TableChecker, load_book
from recommender.shopper.kinds import kind_words, wrong_kinds
from recommender.shopper.result import Reason

RULES_TABLE = "rules.toml"


@dataclass(frozen=True, slots=True)
class Rule:
    """One article rule: when it fires, what it favours, its weight, words and section."""

    id: str
    condition: Condition
    targets: MappingProxyType
    weight: float
    says: str
    section: str
    product_says: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def reason(self, answers: Answers, features: frozenset[str], category: str = "") -> Reason:
        """This rule's reason for this shopper and a product of `category`: what they told us,
        what the article says, then what is true of this kind of product."""
        told = self.condition.told(answers, features)
        text = f"Because you told us about {told}, the article {self.says}."
        extra = self.product_says.get(category)
        return Reason(self.id, f"{text} {extra}" if extra else text, self.section)


@dataclass(frozen=True)
class RuleBook:
    """The rule table, checked and compiled."""

    rules: tuple[Rule, ...]
    target_keys: tuple[str, ...]
    # rules x target keys: how much each rule favours each category or tag.
    affinity: np.ndarray
    conditions: ConditionMatrix

    @property
    def ids(self) -> tuple[str, ...]:
        """Every rule's id, in table order."""
        return tuple(rule.id for rule in self.rules)

    def fired(self, features: frozenset[str]) -> np.ndarray:
        """0/1 per rule: does it fire for these features."""
        return self.conditions.holding(features).astype(float)


def load_rule_book(table: dict[str, Any] | None = None) -> RuleBook:
    """The bundled rules (checked once per process) or `table`, for tests, checked as a whole."""
    return load_book(RULES_TABLE, _rule_book, table)


def _rule_book(table: dict[str, Any]) -> RuleBook:
    entries = table.get("rule", [])
    checker = TableChecker(RULES_TABLE)
    checker.unique(entry.get("id", "") for entry in entries)
    rules = tuple(_rule(entry, checker) for entry in entries)
    checker.raise_if_any()
    keys = sorted({key for rule in rules for key in rule.targets})
    affinity = np.array([[rule.targets.get(key, 0.0) for key in keys] for rule in rules])
    affinity.setflags(write=False)  # the bundled book is shared by every engine in the process
    return RuleBook(
        rules=rules,
        target_keys=tuple(keys),
        affinity=affinity.reshape(len(rules), len(keys)),
        conditions=ConditionMatrix([rule.condition for rule in rules]),
    )


def _rule(entry: dict[str, Any], checker: TableChecker) -> Rule:
    where = f"rule '{entry.get('id', '?')}'"
    targets = entry.get("targets", {})
    if not targets or not all(0 < value <= 1 for value in targets.values()):
        checker.problem(where, "needs targets with affinities above 0 and at most 1")
    weight = entry.get("weight", 0)
    if not 0 < weight <= 3:
        checker.problem(where, f"weight {weight!r} must be above 0 and at most 3")
    says = entry.get("says", "")
    if not says or not says[0].islower():
        checker.problem(where, "'says' must continue 'the article ...' in lower case")
    named = kind_words(says)
    if named:
        checker.problem(where, f"'says' names {', '.join(sorted(named))}; use 'product_says'")
    product_says = entry.get("product_says", {})
    for category, sentence in product_says.items():
        if category not in CATEGORIES:
            checker.problem(where, f"'product_says' names unknown category '{category}'")
        elif wrong := wrong_kinds(sentence, category):
            checker.problem(where, f"'product_says.{category}' names {', '.join(sorted(wrong))}")
    return Rule(
        id=entry.get("id", ""),
        condition=checker.condition(entry, where),
        targets=MappingProxyType(dict(targets)),
        weight=float(weight),
        says=says,
        section=checker.section(entry, where),
        product_says=MappingProxyType(dict(product_says)),
    )
