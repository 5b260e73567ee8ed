"""The triage banner agrees with the cards below it (issue 19).

With no triage concern the banner says nothing in the answers needs a clinician first; but a
card may ask the shopper to check with a podiatrist, a midwife or a doctor before using that
product (diabetes and insoles, pregnancy and belts). Side by side the two read as a
contradiction, so then the banner points to those notes instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from recommender.shopper.result import Item, Triage

# Words with which a card sends the shopper to someone for care.
CARE = re.compile(r"\b(clinician|podiatrist|GP|doctor|physiotherapist|midwife)\b")
CHECK_THE_NOTES = (
    "Some products below carry a note asking you to check with a clinician before using them: "
    "please read those notes first. If your pain lasts or gets worse, see a clinician."
)


def sends_for_care(items: Iterable[Item]) -> bool:
    """Some card tells the shopper to see or ask someone for care."""
    return any(
        CARE.search(text)
        for item in items
        for text in (*item.cautions, *(reason.text for reason in item.reasons))
    )


def agreeing_triage(triage: Triage, items: tuple[Item, ...]) -> Triage:
    """`triage`, its message pointing to the cards' notes where a card sends the shopper for
    care and the banner would otherwise say nothing needs a clinician."""
    if triage.level != "none" or not sends_for_care(items):
        return triage
    return replace(triage, message=CHECK_THE_NOTES)
