"""NICE NG59 (low back pain and sciatica in over 16s) as a hard rule on the final order.

NG59 advises against belts, corsets and foot orthotics as a *treatment* for low back pain. So
when low back pain (with or without pain down the back of the leg) is all the shopper told us
about, none of those products may sit in the top places. The engine applies this after the
final blend of rules, model and boosts, so no weight, boost or model can undo it. The caution
every brace or belt carries with low back pain lives in `data/safety.toml` with the other
cautions.
"""

from __future__ import annotations

import numpy as np

from recommender.shopper.answers import Answers

SOURCE = "NICE NG59: low back pain and sciatica in over 16s"
NG59_CATEGORIES = ("back_brace", "si_belt", "orthotic_insole")
# Pain areas that together still count as "only low back pain" (sciatica with it).
BACK_PAIN_AREAS = frozenset({"lower_back", "back_of_leg"})
KEPT_OUT_OF_TOP = 3
HELD_BACK = (
    "held back: UK guidance (NICE NG59) does not recommend belts, corsets or foot orthotics as a "
    "treatment for low back pain, and too few other products fit to show it below them"
)


def back_pain_only(answers: Answers) -> bool:
    """Low back pain is the shopper's only pain area (pain down the leg may come with it)."""
    return "lower_back" in answers.pain_areas and answers.pain_areas <= BACK_PAIN_AREAS


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
