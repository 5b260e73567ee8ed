"""What a clinician reviewing results counts (issue 19, "Done means"), over generated shoppers.

`generated_shoppers` draws seeded answers over the whole questionnaire (every value the schema
accepts, so new values count as soon as they exist), with the answers that guidance turns on
(age, when the pain began, conditions, bunions) drawn often. `audit` counts, over the results,
each thing a result must never do. The `make bench` row and a test both run it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from itertools import pairwise

import numpy as np

from recommender.catalog.products import Catalog
from recommender.shopper.answers import CHOICES, LIST_CHOICES, Answers, parse_answers
from recommender.shopper.kinds import wrong_kinds
from recommender.shopper.result import Item, Result

KNEE_PRODUCTS = frozenset({"knee_sleeve", "knee_strap", "knee_brace_hinged", "knee_brace_unloader"})
# A reason that says a product spares the knees ("keeping undue stress off the knees").
KNEE_SPARING = re.compile(r"\b(off|spares?|sparing|protects?)( of)? (the|your) knees?\b", re.I)
# A card that sends the shopper to someone for care, and a banner that says no one is needed.
CARE = re.compile(r"\b(clinician|podiatrist|GP|doctor|physiotherapist|midwife|nurse)\b")
NOTHING_NEEDED = re.compile(r"needs a clinician first")
# Scores are compared with room for float rounding, never for a real difference.
TOLERANCE = 1e-9


@dataclass
class Findings:
    """How many results (or items) broke each rule; every count should be 0."""

    results: int = 0
    out_of_score_order: int = 0  # results
    reason_names_another_kind: int = 0  # items
    knee_sparing_on_non_knee_product: int = 0  # items
    bunion_corrector_for_no_bunions: int = 0  # items
    compression_with_neuropathy: int = 0  # items (NICE NG89; SPEC 2 revision 3)
    nothing_needed_beside_see_someone: int = 0  # results

    def problems(self) -> dict[str, int]:
        """The count for each rule, by name (every field but `results`)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "results"}


def generated_shoppers(count: int, seed: int = 19) -> list[Answers]:
    """`count` valid questionnaires, the same for the same seed."""
    rng = np.random.default_rng(seed)
    return [parse_answers(_raw_answers(rng)) for _ in range(count)]


def _raw_answers(rng: np.random.Generator) -> dict:
    raw: dict = {"schema_version": 1}
    for name, values in CHOICES.items():
        if rng.random() < 0.8:
            raw[name] = str(rng.choice(values))
    for name, values in LIST_CHOICES.items():
        share = {"pain_areas": 0.35, "red_flags": 0.005, "conditions": 0.12}.get(name, 0.12)
        raw[name] = [v for v in values if rng.random() < share]
    if not raw["pain_areas"]:
        raw["pain_areas"] = [str(rng.choice(LIST_CHOICES["pain_areas"]))]
    raw["sitting_hours"] = float(rng.integers(0, 25) / 2)
    raw["height_cm"] = float(np.clip(rng.normal(170, 10), 140, 210).round())
    raw["weight_kg"] = float(np.clip(rng.normal(82, 20), 40, 180).round())
    if rng.random() < 0.3:
        raw["budget_max"] = float(rng.integers(15, 150))
    return raw


def audit(
    results: Iterable[tuple[Answers, Result]], compression_skus: frozenset[str] = frozenset()
) -> Findings:
    """Count every broken rule over (answers, result) pairs; `compression_skus` are the
    catalog's compression products (a result names SKUs, not the products' properties)."""
    found = Findings()
    for answers, result in results:
        found.results += 1
        items = result.items
        neuropathy = has_neuropathy(answers)
        found.out_of_score_order += int(not in_score_order(items))
        for item in items:
            texts = [reason.text for reason in item.reasons]
            found.reason_names_another_kind += int(
                any(wrong_kinds(text, item.category) for text in texts)
            )
            found.knee_sparing_on_non_knee_product += int(
                item.category not in KNEE_PRODUCTS and any(KNEE_SPARING.search(t) for t in texts)
            )
            found.bunion_corrector_for_no_bunions += int(
                answers.bunions == "none" and item.category == "bunion_corrector"
            )
            found.compression_with_neuropathy += int(neuropathy and item.sku in compression_skus)
        says_nothing = bool(NOTHING_NEEDED.search(result.triage.message))
        found.nothing_needed_beside_see_someone += int(says_nothing and sends_for_care(items))
    return found


def compression_skus(catalog: Catalog) -> frozenset[str]:
    """The catalog's compression products, which `audit` checks against neuropathy."""
    products = catalog.products
    return frozenset(products.loc[products["compression"].astype(bool), "sku"])


def has_neuropathy(answers: Answers) -> bool:
    """Numb feet, or diabetes with any numbness in the legs or feet: compression stays away."""
    numb = {"numbness_one_leg", "numb_feet"} & set(answers.symptoms)
    return "numb_feet" in numb or ("diabetes" in answers.conditions and bool(numb))


def in_score_order(items: Iterable[Item]) -> bool:
    """Every item scores at least as high as the one below it."""
    scores = [item.score for item in items]
    return all(a >= b - TOLERANCE for a, b in pairwise(scores))


def sends_for_care(items: Iterable[Item]) -> bool:
    """Some card tells the shopper to see or ask someone for care."""
    return any(
        CARE.search(text)
        for item in items
        for text in (*item.cautions, *(reason.text for reason in item.reasons))
    )
