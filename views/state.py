"""The product finder's state for one browser session, kept under a single session key.

One key, rather than several loose ones, so the finder never collides with other pages' state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from recommender.shop.questionnaire import empty_draft
from recommender.shop.shopping import Shown

FINDER_KEY = "product_finder"


@dataclass
class Finder:
    """One shopper's place in the finder: the drafted answers, the step and what was shown."""

    draft: dict[str, Any] = field(default_factory=empty_draft)
    step: int = 0
    screen: int = 0  # which screen of warning signs, on the safety check
    shown: Shown | None = None
    sent: set[tuple[str, str]] = field(default_factory=set)  # (sku, event) already saved
    feedback_note: str | None = None
    # Shareable links (views/address.py): the address last read or written, the warning signs
    # asked so far, where a link goes once they are, and a message for the step.
    address: dict[str, str] | None = None
    asked: frozenset[str] = frozenset()
    then: int | None = None
    notice: str | None = None
    reached: set[str] = field(default_factory=set)  # funnel stages already counted


def finder() -> Finder:
    """This browser session's finder state (created on first use)."""
    return st.session_state.setdefault(FINDER_KEY, Finder())


def start_again() -> None:
    """Forget the answers and go back to the first step."""
    st.session_state[FINDER_KEY] = Finder()
