"""Each card's first reason: what this product offers that the cards above it do not.

Reasons from the article are often the same for several products of a result, so a shopper
could not tell why #2 sits below #1. The first reason of every card is built from the catalog's
own attributes (support level, the activity it is made for, its features, price against the
budget) and names only what no closer match (a card ranked above it) offers. Comparing with the
closer matches, not the whole list, keeps every card's words true however many of the list a
page shows, and in whatever order (an exploring session shuffles the cards).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from recommender.shopper.answers import Answers
from recommender.shopper.features import join_words
from recommender.shopper.result import Reason

RULE_ID = "what_sets_it_apart"
# The shopper's activities, as the catalog's `fits` words that serve them.
_FITS_FOR_ACTIVITY = {
    "running": ("running",),
    "walking": ("walking",),
    "hiking": ("walking",),
    "gym_lifting": ("sport",),
    "team_sports": ("sport",),
    "cycling": ("cycling", "sport"),
    "yoga": ("yoga",),
}
_FIT_WORDS = {
    "running": "made for running",
    "walking": "made for walking",
    "sport": "made for sport and training",
    "cycling": "made for cycling",
    "yoga": "made for yoga",
}
_FEATURE_WORDS = {
    "arch_support": "arch support",
    "cushioning": "extra cushioning",
    "compression": "gentle compression",
    "warmth": "warmth",
    "stability": "extra stability",
    "unloading": "load shifted off one side of the knee",
    "lumbar": "a shaped lumbar panel",
    "sitting": "use on a chair",
    "posture": "a posture reminder",
    "heat": "heat",
    "cold": "cooling",
    "stretch": "help with stretching",
    "bunion": "padding for the bunion",
}


@dataclass(frozen=True, slots=True)
class CardFacts:
    """What the catalog says about one shown product, in plain words."""

    facets: tuple[str, ...]
    price: float


def card_facts(product: Mapping[str, object], answers: Answers) -> CardFacts:
    """What a card may say about the product for this shopper, and its price."""
    facets: list[str] = []
    level = str(product.get("support_level") or "")
    if level and level != "none":
        facets.append(f"{level} support")
    wanted = {fit for a in sorted(answers.activities) for fit in _FITS_FOR_ACTIVITY[a]}
    fits = str(product.get("fits") or "").split()
    facets += [_FIT_WORDS[fit] for fit in fits if fit in wanted and fit in _FIT_WORDS]
    features = str(product.get("features") or "").split()
    facets += [_FEATURE_WORDS[word] for word in features if word in _FEATURE_WORDS]
    return CardFacts(tuple(dict.fromkeys(facets)), float(cast(float, product["price"])))


def first_reasons(
    facts: Sequence[CardFacts],
    strongest: Sequence[tuple[str, str]],
    answers: Answers,
    money: Callable[[float], str] = "{:.2f}".format,
) -> list[Reason]:
    """One reason per card, in rank order; no two alike. `strongest` holds, per card, what the
    shopper told us behind its strongest rule and that rule's article section (cited);
    `money` writes a price in the shop's currency."""
    reasons: list[Reason] = []
    seen: set[str] = set()
    for rank, (card, (told, section)) in enumerate(zip(facts, strongest, strict=True)):
        text = f"Because you told us about {told}, {_text(card, facts[:rank], answers, money)}"
        if text in seen:  # same attributes and price as a closer match: still tell them apart
            text = f"{text[:-1]} (match {rank + 1} for your answers)."
        seen.add(text)
        reasons.append(Reason(RULE_ID, text, section))
    return reasons


def shuffled_reason(reason: Reason) -> Reason:
    """A first reason as an exploring session shows it: its cards are a shuffle of the best
    matches, so no card is "the closest match" and none is compared with the cards above it."""
    told, found, _ = reason.text.partition(_TOLD_END)
    if reason.rule != RULE_ID or not found:
        return reason
    text = (
        f"{told}, this is one of the best matches for your answers; this list shows them "
        "in a shuffled order."
    )
    return Reason(RULE_ID, text, reason.section)


_TOLD_END = ", this "


def _price(card: CardFacts, answers: Answers, money: Callable[[float], str]) -> str:
    if answers.budget_max is None:
        return money(card.price)
    left = answers.budget_max - card.price
    return f"{money(card.price)}, {money(left)} under your budget of {money(answers.budget_max)}"


def _text(
    card: CardFacts, above: Sequence[CardFacts], answers: Answers, money: Callable[[float], str]
) -> str:
    if not above:
        offers = join_words(card.facets) or "it fits your answers best"
        return f"this is the closest match: {offers}; price {_price(card, answers, money)}."
    offered_above = {facet for other in above for facet in other.facets}
    new = [facet for facet in card.facets if facet not in offered_above]
    if card.price < min(other.price for other in above):
        new.append(f"a lower price ({_price(card, answers, money)})")
    if new:
        return f"this one offers what closer matches do not: {join_words(new)}."
    return f"this is a similar choice to closer matches, at {_price(card, answers, money)}."
