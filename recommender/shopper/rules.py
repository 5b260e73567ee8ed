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
    # Categories or tags a product must carry for this rule to favour it at all (empty: any),
    # so a claim about one kind of product never lifts another that shares a tag with it.
    only: tuple[str, ...] = ()

    def reason(self, answers: Answers, features: frozenset[str], category: str = "") -> Reason:
        """This rule's reason for this shopper and a product of `category`: what they told us,
        what the article says, then what is true of this kind of product."""
        told = self.condition.told(answers, features)
        text = f"Because you told us about {told}, the article {self.says}."
        extra = self.product_says.get(category)
        return Reason(self.id, f"{text} {extra}" if extra else text, self.section)


@dataclass(frozen=True, slots=True)
class NotFor:
    """A category no rule favours while `condition` holds: a product is shown for a problem
    the shopper has (no bunion corrector for a shopper who told us of no bunions)."""

    category: str
    condition: Condition


@dataclass(frozen=True)
class RuleBook:
    """The rule table, checked and compiled."""

    rules: tuple[Rule, ...]
    target_keys: tuple[str, ...]
    # rules x target keys: how much each rule favours each category or tag.
    affinity: np.ndarray
    conditions: ConditionMatrix
    not_for: tuple[NotFor, ...] = ()
    not_for_conditions: ConditionMatrix | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """Every rule's id, in table order."""
        return tuple(rule.id for rule in self.rules)

    def fired(self, features: frozenset[str]) -> np.ndarray:
        """0/1 per rule: does it fire for these features."""
        return self.conditions.holding(features).astype(float)

    def ruled_out(self, features: frozenset[str]) -> tuple[str, ...]:
        """The categories no rule may favour for these features (`[[not_for]]`)."""
        if self.not_for_conditions is None:
            return ()
        holding = self.not_for_conditions.holding(features)
        return tuple(entry.category for entry, h in zip(self.not_for, holding, strict=True) if h)


def load_rule_book(table: dict[str, Any] | None = None) -> RuleBook:
    """The bundled rules (checked once per process) or `table`, for tests, checked as a whole."""
    return load_book(RULES_TABLE, _rule_book, table)


def _rule_book(table: dict[str, Any]) -> RuleBook:
    entries = table.get("rule", [])
    checker = TableChecker(RULES_TABLE)
    checker.unique(entry.get("id", "") for entry in entries)
    rules = tuple(_rule(entry, checker) for entry in entries)
    not_for = tuple(_not_for(entry, checker) for entry in table.get("not_for", []))
    checker.raise_if_any()
    keys = sorted({key for rule in rules for key in rule.targets})
    affinity = np.array([[rule.targets.get(key, 0.0) for key in keys] for rule in rules])
    affinity.setflags(write=False)  # the bundled book is shared by every engine in the process
    return RuleBook(
        rules=rules,
        target_keys=tuple(keys),
        affinity=affinity.reshape(len(rules), len(keys)),
        conditions=ConditionMatrix([rule.condition for rule in rules]),
        not_for=not_for,
        not_for_conditions=ConditionMatrix([e.condition for e in not_for]) if not_for else None,
    )


def _not_for(entry: dict[str, Any], checker: TableChecker) -> NotFor:
    category = entry.get("category", "")
    where = f"not_for '{category}'"
    if category not in CATEGORIES:
        checker.problem(where, f"names unknown category '{category}'")
    return NotFor(category, checker.condition(entry, where))


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
    if not isinstance(entry.get("only", []), list) or not all(
        key in CATEGORIES or ":" in key for key in entry.get("only", [])
    ):
        checker.problem(where, "'only' must list categories or tags (area:*, fit:*, ...)")
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
        only=tuple(entry.get("only", ())),
    )
