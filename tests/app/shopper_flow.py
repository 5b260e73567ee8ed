"""Steps a shopper takes through the finder, as AppTest actions."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from recommender.feedback import FeedbackStore, read_events


def next_step(at: AppTest) -> AppTest:
    at.button(key="next").click().run()
    assert not at.exception, at.exception
    return at


def through_the_safety_check(at: AppTest) -> AppTest:
    """Next on every screen of warning signs, ticking none, to "What you notice"."""
    while "Safety check" in [h.value for h in at.header]:
        next_step(at)
    return at


def to_the_warning_sign(at: AppTest, flag: str, areas: list[str]) -> AppTest:
    """Pick the areas, then Next through the safety check until `flag`'s box shows; tick it."""
    at.pills(key="q_pain_areas").set_value(areas).run()
    next_step(at)
    while f"flag_{flag}" not in [box.key for box in at.checkbox]:
        next_step(at)
    at.checkbox(key=f"flag_{flag}").check().run()
    return at


def knee_and_back_shopper(at: AppTest, budget: float | None = None) -> AppTest:
    """A shopper with knee and low-back pain and bunions, no warning signs, to the results."""
    at.pills(key="q_pain_areas").set_value(["knee", "lower_back"]).run()
    at.radio(key="q_knee_side").set_value("left").run()
    at.radio(key="q_age_band").set_value("55_64").run()
    next_step(at)
    through_the_safety_check(at)
    at.radio(key="q_bunions").set_value("both").run()
    next_step(at)
    at.pills(key="q_habits").set_value(["slouching"]).run()
    next_step(at)
    if budget is not None:
        at.number_input(key="q_budget_max").set_value(budget).run()
    return next_step(at)


def card_titles(at: AppTest) -> list[str]:
    """Each card's heading line ("## 1. Name"); the card's facts and reason follow it."""
    return [m.value.split("\n", 1)[0] for m in at.markdown if m.value.startswith("## ")]


def card_texts(at: AppTest) -> list[str]:
    """Each card's visible words: name, kind and price, size, its reason, a caution marker."""
    return [m.value for m in at.markdown if m.value.startswith("## ")]


def stored_events(db_url: str) -> pd.DataFrame:
    with FeedbackStore.open(db_url) as store:
        return read_events(store)
