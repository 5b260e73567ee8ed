"""The recommendation result of SPEC section 4, as frozen objects that render to its JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from recommender.catalog.money import DEFAULT_CURRENCY
from recommender.catalog.sizes import SizeFit

RESULT_SCHEMA_VERSION = 1
RULES_ONLY = "rules-only"
TRIAGE_LEVELS = ("none", "see_clinician", "urgent", "emergency")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a product is shown: the rule, the words and the article section cited."""

    rule: str
    text: str
    section: str


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """The weighted parts of a score; they add up to it.

    `guidance` (0 or less, SPEC section 2 revision 3) is how far a NICE placement moved the
    product down, and `guidance_by` the placement's id (`ng59_top3`, `ng226_top3`,
    `ng226_hip_top3`), or "".
    """

    rules: float
    model: float
    boost: float
    guidance: float = 0.0
    guidance_by: str = ""

    @property
    def total(self) -> float:
        """The parts added up: the product's score."""
        return self.rules + self.model + self.boost + self.guidance


@dataclass(frozen=True, slots=True)
class Item:
    """One recommended product: rank, reasons, cautions, score parts and size."""

    rank: int
    sku: str
    name: str
    category: str
    price: float
    score: float
    reasons: tuple[Reason, ...]
    cautions: tuple[str, ...]
    score_parts: ScoreParts
    size: SizeFit | None = None  # revision 2: None for one size or no measurement given
    # Revision 3: the catalog's picture and shop page (None when it has none) and the currency
    # `price` is in (ISO 4217), so a shop's page need not look the product up again.
    image: str | None = None
    url: str | None = None
    currency: str = DEFAULT_CURRENCY


@dataclass(frozen=True, slots=True)
class Triage:
    """What the safety screen found: a level, the red flags and the message."""

    level: str
    flags: tuple[str, ...]
    message: str
    # The screen holds back every product (a safety stop). Not part of the result JSON: there it
    # shows as the level and an empty list.
    holds_back_products: bool = False

    @property
    def is_urgent(self) -> bool:
        """Care is needed today or now (the page shows the message as an emergency)."""
        return self.level in ("urgent", "emergency")


@dataclass(frozen=True, slots=True)
class Excluded:
    """A product held back, and why."""

    sku: str
    why: str


@dataclass(frozen=True, slots=True)
class Advice:
    """Self-care advice that is not a product, with the section it cites."""

    text: str
    section: str
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The smallest change that would give a result; `change` holds it as answers to apply."""

    text: str
    change: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    """The result of SPEC section 4: triage, items, excluded, advice, suggestions."""

    triage: Triage
    items: tuple[Item, ...]
    excluded: tuple[Excluded, ...]
    advice: tuple[Advice, ...]
    suggestions: tuple[Suggestion, ...]
    model_version: str = RULES_ONLY
    notices: tuple[str, ...] = ()

    def with_items(self, items: tuple[Item, ...]) -> Result:
        """The same result showing `items` (in that order), ranks renumbered from 1."""
        # Items are frozen: one already at its place is kept as it is (the ranked order's
        # every item, for every session a simulation logs), rather than copied.
        ranked = tuple(
            item if item.rank == rank else replace(item, rank=rank)
            for rank, item in enumerate(items, start=1)
        )
        return replace(self, items=ranked)

    def to_json_dict(self) -> dict[str, Any]:
        """The result as the JSON of SPEC section 4."""
        return {
            "schema_version": RESULT_SCHEMA_VERSION,
            "triage": {
                "level": self.triage.level,
                "flags": list(self.triage.flags),
                "message": self.triage.message,
            },
            "items": [_item_json(item) for item in self.items],
            "excluded": [{"sku": e.sku, "why": e.why} for e in self.excluded],
            "advice": [{"text": a.text, "section": a.section} for a in self.advice],
            "suggestions": [s.text for s in self.suggestions],
            "model_version": self.model_version,
        }


def _item_json(item: Item) -> dict[str, Any]:
    parts = {
        "rules": round(item.score_parts.rules, 6),
        "model": round(item.score_parts.model, 6),
        "boost": round(item.score_parts.boost, 6),
    }
    if item.score_parts.guidance:  # only where a placement moved the product (revision 3)
        parts["guidance"] = round(item.score_parts.guidance, 6)
    return {
        "rank": item.rank,
        "sku": item.sku,
        "name": item.name,
        "category": item.category,
        "price": item.price,
        # The sum of the printed parts, so a reader adding them up gets exactly this score.
        "score": _total(parts),
        "reasons": [{"rule": r.rule, "text": r.text, "section": r.section} for r in item.reasons],
        "cautions": list(item.cautions),
        "score_parts": parts,
        "size": None if item.size is None else {"size": item.size.size, "note": item.size.note},
        "image": item.image,
        "url": item.url,
        "currency": item.currency,
    }


def _total(parts: dict[str, float]) -> float:
    total = parts["rules"] + parts["model"] + parts["boost"]
    if "guidance" not in parts:
        return total
    # Rounded as the parts are: a moved product's total is a place value a reader checks.
    return round(total + parts["guidance"], 6)
