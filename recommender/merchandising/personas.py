"""Saved shopper personas (`catalog/personas.jsonl`): a what-if audience and a regression suite.

One JSON object a line: {"id", "description", "answers": {...SPEC section 1...}, "expect": [...]}.
An expectation is one small object, checked against the persona's top results:

    {"category_in_top": "orthotic_insole", "within": 3}   a product of that category in the top 3
    {"category_absent": "hot_cold_therapy"}               no product of that category shown
    {"sku_in_top": "KS-101", "within": 5}                 that product in the top 5
    {"sku_absent": "MG-901"}                              that product not shown
    {"no_products": true}                                 nothing shown at all (e.g. a red flag)
    {"triage": "see_clinician"}                           the safety screen gives this level

`within` defaults to the whole top list (5).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.catalog.products import CATEGORIES
from recommender.catalog.reading import read_catalog_file
from recommender.errors import AnswersError, CatalogError, Problems, place
from recommender.shopper.answers import Answers, decode_json, parse_answers
from recommender.shopper.engine import Engine
from recommender.shopper.result import TRIAGE_LEVELS, Result

PERSONAS_FILE = "personas.jsonl"
# A few hundred personas are a few hundred KB; the cap keeps a stray huge file from being read.
MAX_PERSONAS_BYTES = 4 * 1024 * 1024
TOP_K = 5
PERSONA_KEYS = {"id", "description", "answers", "expect"}
# Each kind of expectation and the type its value must have.
EXPECTATION_KINDS: dict[str, type] = {
    "category_in_top": str,
    "category_absent": str,
    "sku_in_top": str,
    "sku_absent": str,
    "no_products": bool,
    "triage": str,
}


@dataclass(frozen=True, slots=True)
class Expectation:
    """One expectation of a persona, such as a category in the top 3."""

    kind: str
    value: Any
    within: int = TOP_K

    def failure(self, result: Result) -> str | None:
        """Why `result` breaks this expectation, or None when it holds."""
        top = result.items[: self.within]
        skus, categories = [i.sku for i in top], [i.category for i in top]
        where = f"top {self.within}"
        if self.kind == "category_in_top" and self.value not in categories:
            return f"expected a {self.value} in the {where}, got {_listing(categories)}"
        if self.kind == "category_absent" and self.value in categories:
            return f"expected no {self.value} in the {where}, but one is shown"
        if self.kind == "sku_in_top" and self.value not in skus:
            return f"expected {self.value} in the {where}, got {_listing(skus)}"
        if self.kind == "sku_absent" and self.value in skus:
            rank = skus.index(self.value) + 1
            return f"expected {self.value} not to be shown, but it is at rank {rank}"
        if self.kind == "no_products" and self.value and result.items:
            return f"expected no products, got {_listing(i.sku for i in result.items)}"
        if self.kind == "triage" and result.triage.level != self.value:
            return f"expected triage '{self.value}', got '{result.triage.level}'"
        return None

    def describe(self) -> str:
        """The expectation in words, for the page and the command line."""
        if self.kind == "no_products":
            return "no products shown"
        suffix = f" within {self.within}" if self.kind.endswith("_in_top") else ""
        return f"{self.kind} {self.value}{suffix}"


@dataclass(frozen=True, slots=True)
class Persona:
    """A saved shopper: an id, a description, answers and expectations."""

    id: str
    description: str
    answers: Answers
    expectations: tuple[Expectation, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonaOutcome:
    """A persona's result under some weights, and the expectations it broke."""

    persona: Persona
    result: Result
    failures: tuple[str, ...]


def load_personas(directory: Path, skus: Iterable[str] | None = None) -> tuple[Persona, ...]:
    """Read `personas.jsonl` in `directory`; raise `CatalogError` naming every bad line.

    With `skus`, an expectation about a product the catalog does not have is a problem too
    (it would pass for the wrong reason). A missing file means no personas.
    """
    path = Path(directory) / PERSONAS_FILE
    if not path.exists():
        return ()
    raw = read_catalog_file(path, MAX_PERSONAS_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogError([f"{PERSONAS_FILE}: not UTF-8 text"]) from None
    return parse_personas(text, skus)


def parse_personas(text: str, skus: Iterable[str] | None = None) -> tuple[Persona, ...]:
    """The personas in the text of a personas.jsonl; `CatalogError` naming every bad line."""
    known_skus = set(skus) if skus is not None else None
    personas: list[Persona] = []
    problems = Problems()
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = place(PERSONAS_FILE, number, unit="line")
        try:
            persona = parse_persona(decode_json(line), known_skus)
        except json.JSONDecodeError as error:
            problems.add(f"{where}: not valid JSON ({error.msg})")
            continue
        except CatalogError as error:
            problems.extend(f"{where}: {problem}" for problem in error.problems)
            continue
        if persona.id in seen:
            problems.add(f"{where}: id '{persona.id}' is used by an earlier line")
        seen.add(persona.id)
        personas.append(persona)
    problems.raise_if_any()
    return tuple(personas)


def parse_persona(raw: Any, known_skus: set[str] | None = None) -> Persona:
    """One decoded persona line; raise `CatalogError` listing what is wrong with it."""
    if not isinstance(raw, dict):
        raise CatalogError(["expected a JSON object"])
    problems = Problems()
    problems.extend(f"unknown key '{key}'" for key in raw if key not in PERSONA_KEYS)
    persona_id, description = raw.get("id"), raw.get("description", "")
    if not isinstance(persona_id, str) or not persona_id.strip():
        problems.add("'id' must be non-empty text")
    if not isinstance(description, str):
        problems.add("'description' must be text")
    answers = Answers()
    try:
        answers = parse_answers(raw.get("answers"))
    except AnswersError as error:
        problems.add(str(error))
    expect = raw.get("expect", [])
    if not isinstance(expect, list):
        problems.add("'expect' must be a list")
        expect = []
    expectations = []
    for position, item in enumerate(expect, start=1):
        expectation, problem = _expectation(item, known_skus)
        if problem:
            problems.add(f"expect item {position}: {problem}")
        elif expectation:
            expectations.append(expectation)
    problems.raise_if_any()
    return Persona(str(persona_id), description, answers, tuple(expectations))


def _expectation(item: Any, known_skus: set[str] | None) -> tuple[Expectation | None, str]:
    if not isinstance(item, Mapping):
        return None, 'must be an object such as {"category_in_top": "knee_sleeve"}'
    kinds = [key for key in item if key in EXPECTATION_KINDS]
    extra = [key for key in item if key not in EXPECTATION_KINDS and key != "within"]
    if len(kinds) != 1 or extra:
        return None, f"needs exactly one of {', '.join(EXPECTATION_KINDS)} (and optional 'within')"
    kind = kinds[0]
    value, within = item[kind], item.get("within", TOP_K)
    if not isinstance(value, EXPECTATION_KINDS[kind]):
        return None, f"'{kind}' must be {EXPECTATION_KINDS[kind].__name__}, got {value!r}"
    if type(within) is not int or not 1 <= within <= TOP_K:
        return None, f"'within' must be a whole number from 1 to {TOP_K}, got {within!r}"
    if kind.startswith("category") and value not in CATEGORIES:
        return None, f"'{value}' is not a known category"
    if kind.startswith("sku") and known_skus is not None and value not in known_skus:
        return None, f"'{value}' is not a product in the catalog"
    if kind == "triage" and value not in TRIAGE_LEVELS:
        return None, f"'{value}' is not one of {', '.join(TRIAGE_LEVELS)}"
    return Expectation(kind, value, within), ""


def run_suite(
    engine: Engine, personas: Iterable[Persona], k: int = TOP_K
) -> tuple[PersonaOutcome, ...]:
    """Each persona's top `k` under `engine`, with the expectations it breaks."""
    outcomes = []
    for persona in personas:
        result = engine.recommend(persona.answers, k)
        failures = tuple(
            f"{e.describe()}: {why}" for e in persona.expectations if (why := e.failure(result))
        )
        outcomes.append(PersonaOutcome(persona, result, failures))
    return tuple(outcomes)


def _listing(values: Iterable[str]) -> str:
    shown = list(values)
    return ", ".join(shown) if shown else "nothing"
