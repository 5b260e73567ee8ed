"""Words that name a kind of product, and the catalog categories each may be said of.

A reason is shown on one product, so a sentence that names a kind of product ("a hinged
brace", "insoles") must be true of that product (SPEC section 2). The rule table is checked
against this list when it loads, and the property tests check every shown reason with it.
"""

from __future__ import annotations

import re

# Each word (singular and plural forms alike) and the categories it truly describes.
_KNEE_BRACES = ("knee_brace_hinged", "knee_brace_unloader")
KIND_WORDS: dict[str, frozenset[str]] = {
    word: frozenset(categories)
    for word, categories in {
        "brace": (*_KNEE_BRACES, "back_brace", "posture_corrector"),
        "sleeve": ("knee_sleeve", "thigh_sleeve", "bunion_corrector"),
        "strap": ("knee_strap", "stretch_aid", "posture_corrector"),
        "belt": ("si_belt", "back_brace"),
        "corset": ("back_brace",),
        "insole": ("orthotic_insole",),
        "orthotic": ("orthotic_insole",),
        "cushion": ("lumbar_cushion", "seat_cushion"),
        "sock": ("compression_socks",),
        "stocking": ("compression_socks",),
        "splint": ("bunion_corrector",),
        "spacer": ("bunion_corrector",),
        "corrector": ("bunion_corrector", "posture_corrector"),
        "pack": ("hot_cold_therapy",),
        "wrap": ("hot_cold_therapy", "back_brace", "hip_support"),
        "mat": ("yoga_prop",),
        "block": ("yoga_prop",),
        "bolster": ("yoga_prop",),
        "prop": ("yoga_prop",),
        "roller": ("stretch_aid",),
        "shorts": ("hip_support",),
        "vest": ("posture_corrector",),
    }.items()
}
_WORD = re.compile(r"[a-z]+")


def _singular(word: str) -> str:
    if word in KIND_WORDS:
        return word
    return word[:-1] if word.endswith("s") and word[:-1] in KIND_WORDS else word


def kind_words(text: str) -> frozenset[str]:
    """The product-kind words `text` uses, in singular form ("insoles" -> "insole")."""
    found = {_singular(word) for word in _WORD.findall(text.lower())}
    return frozenset(found & KIND_WORDS.keys())


def wrong_kinds(text: str, category: str) -> frozenset[str]:
    """The kind words in `text` that a product of `category` is not."""
    return frozenset(word for word in kind_words(text) if category not in KIND_WORDS[word])
