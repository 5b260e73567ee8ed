"""The article's section headings, spelled exactly as the article spells them.

Every reason, advice line and rule cites one of these. They are quoted on purpose (a citation),
which is why the test for copied wording leaves them out.
"""

from __future__ import annotations

ARTICLE_TITLE = "The Surprising Connection between Knee and Back Pain"

SECTIONS: tuple[str, ...] = (
    "Signs your Back Problem is Causing Knee Pain",
    "Sciatic Nerve Anatomy",
    "Effects of Sciatic Inflammation",
    "Self-Care for Knee-Related Sciatic Pain",
    "Conservative Medical Treatment for Sciatic Nerve Issues",
    "The Connection between Bunions, Back Pain, and Knee Pain",
    "Treating Bunions and Knee Pain",
    "Function of the Psoas Muscles",
    "Strengthening the Psoas to Reduce Knee Pain",
    "The Effects of Posture",
    "Preventing Back and Knee Pain",
)


def is_section(heading: str) -> bool:
    """Whether `heading` is a section heading of the article."""
    return heading in SECTIONS
