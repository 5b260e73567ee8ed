"""NICE guidance placements on the final order: NG59 (low back pain) and NG226 (long-standing
knee pain and osteoarthritis, for the joint that hurts: knee braces, and hip supports and belts).

NG59 advises against belts, corsets and foot orthotics as a *treatment* for low back pain, and
NG226 does not routinely recommend knee braces. So, when a placement applies to the shopper's
answers, none of its products may sit in the top places. The engine applies this after the final
blend of rules, model and boosts, so no weight, boost or model can undo it, and it does so in
the open: a moved product's score gets a `guidance` part (0 or less) that puts it just below the
last of the top places, so the list stays in score order and "why this order" can say why. The
cautions the moved products carry live in `data/safety.toml` with the other cautions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recommender.shopper.answers import Answers
from recommender.shopper.features import long_standing_knee_pain_from_50, osteoarthritis_joints

SOURCE = "NICE NG59: low back pain and sciatica in over 16s"
NG59_CATEGORIES = ("back_brace", "si_belt", "orthotic_insole")
NG226_CATEGORIES = ("knee_brace_hinged", "knee_brace_unloader")
# NG226's devices recommendation (1.3.10) covers supports for every joint: for the hip, the
# catalog's hip supports and the SI belts it offers for hip pain, held back like the knee's
# braces when the hip is the painful joint.
NG226_HIP_CATEGORIES = ("hip_support", "si_belt")
# Pain areas that together still count as "only low back pain" (sciatica with it).
BACK_PAIN_AREAS = frozenset({"lower_back", "back_of_leg"})
KEPT_OUT_OF_TOP = 3
# How far below the last of the top places a moved product's total is set: enough to show on a
# page that prints totals to two decimals, far above the JSON's rounding to six.
BELOW_THE_TOP = 0.01
HELD_BACK = (
    "held back: UK guidance (NICE NG59) does not recommend belts, corsets or foot orthotics as a "
    "treatment for low back pain, and too few other products fit to show it below them"
)


def back_pain_only(answers: Answers) -> bool:
    """Low back pain is the shopper's only pain area (pain down the leg may come with it)."""
    return "lower_back" in answers.pain_areas and answers.pain_areas <= BACK_PAIN_AREAS


def ng226_applies(answers: Answers) -> bool:
    """NG226 holds hinged and unloader braces back from the top places: osteoarthritis a
    clinician has named, taken to be in the knee (knee pain, or neither joint named), or
    long-standing knee pain from 50, unless the knee gives way (the instability NG226 makes its
    exception for)."""
    picture = "knee" in osteoarthritis_joints(answers) or long_standing_knee_pain_from_50(answers)
    return picture and "knee_gives_way" not in answers.symptoms


def ng226_hip_applies(answers: Answers) -> bool:
    """NG226 holds hip supports and SI belts back from the top places when a clinician-named
    osteoarthritis goes with hip or upper-thigh pain. A knee that gives way says nothing about the hip, so it
    is no exception here."""
    return "hip" in osteoarthritis_joints(answers)


@dataclass(frozen=True, slots=True)
class Placement:
    """One guideline's rule on the order: its products stay out of the top places."""

    id: str
    guideline: str
    categories: tuple[str, ...]
    applies: Callable[[Answers], bool]
    order_words: str  # "why this order", after the guidance part's value
    held_back: str  # in `excluded`, when too few other products fit to show it below them


NG59 = Placement(
    id="ng59_top3",
    guideline="NICE NG59",
    categories=NG59_CATEGORIES,
    applies=back_pain_only,
    order_words=(
        "UK guidance on low back pain (NICE NG59) does not recommend belts, corsets or foot "
        "orthotics as a treatment for it, so this product is placed below the first three"
    ),
    held_back=HELD_BACK,
)
NG226 = Placement(
    id="ng226_top3",
    guideline="NICE NG226",
    categories=NG226_CATEGORIES,
    applies=ng226_applies,
    order_words=(
        "UK guidance on long-standing knee pain (NICE NG226) does not routinely recommend "
        "knee braces; exercise comes first, so this brace is placed below the first three"
    ),
    held_back=(
        "held back: UK guidance on long-standing knee pain (NICE NG226) does not routinely "
        "recommend knee braces, and too few other products fit to show it below them"
    ),
)
NG226_HIP = Placement(
    id="ng226_hip_top3",
    guideline="NICE NG226",
    categories=NG226_HIP_CATEGORIES,
    applies=ng226_hip_applies,
    order_words=(
        "UK guidance on long-standing hip pain (NICE NG226) does not routinely recommend "
        "supports or belts for it; exercise comes first, so this support is placed below the "
        "first three"
    ),
    held_back=(
        "held back: UK guidance on long-standing hip pain (NICE NG226) does not routinely "
        "recommend supports or belts for it, and too few other products fit to show it below "
        "them"
    ),
)
PLACEMENTS: tuple[Placement, ...] = (NG59, NG226, NG226_HIP)
BY_ID = {placement.id: placement for placement in PLACEMENTS}


def placements_for(answers: Answers) -> tuple[Placement, ...]:
    """The placements that hold for these answers."""
    return tuple(placement for placement in PLACEMENTS if placement.applies(answers))


def held_categories(answers: Answers) -> frozenset[str]:
    """Every category some placement keeps out of the top places for these answers."""
    return frozenset(c for placement in placements_for(answers) for c in placement.categories)


def order_words(placement_id: str) -> str:
    """What a guidance part stands for, in words ("why this order")."""
    return BY_ID[placement_id].order_words


def keep_out_of_top(
    order: list[int], held: np.ndarray, places: int = KEPT_OUT_OF_TOP
) -> tuple[list[int], list[int]]:
    """`order` with no `held` product in its first `places` positions, and the held products
    that had to be dropped.

    The best `places` other products go first, then everything else in its own order. With
    fewer than `places` other products, a held product could only sit among the top places, so
    none is shown: they are returned as dropped, for the result to list as held back.
    """
    others = [index for index in order if not held[index]]
    if len(others) < places:
        return others, [index for index in order if held[index]]
    first = set(others[:places])
    return others[:places] + [index for index in order if index not in first], []


def guidance_parts(
    scores: np.ndarray, order: list[int], held: np.ndarray, places: int = KEPT_OUT_OF_TOP
) -> tuple[np.ndarray, list[int]]:
    """The guidance part of every product's score (0 or less), and the held products that must
    be dropped because fewer than `places` others could go above them.

    `order` is the shown order before guidance (best first, category caps applied to the
    others). Each held product that scores above the `places`-th other product is given the
    part that sets its total `BELOW_THE_TOP` under that product's, so it ranks below the top
    places by its score alone, and its part says by how much it was moved.
    """
    parts = np.zeros_like(scores)
    others = [index for index in order if not held[index]]
    if len(others) < places:
        return parts, np.flatnonzero(held).tolist()
    line = scores[others[places - 1]] - BELOW_THE_TOP
    moved = held & (scores > line)
    parts[moved] = line - scores[moved]
    return parts, []
