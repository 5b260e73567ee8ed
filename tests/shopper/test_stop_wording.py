"""The safety stop comes straight after the first step: its words assume nothing not yet asked."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.shopper.answers import CHOICES, LIST_CHOICES, parse_answers
from recommender.shopper.engine import load_engine

ROOT = Path(__file__).resolve().parents[2]
ENGINE = load_engine(ROOT / "catalog")
# Answers only later steps ask for: a stop after step 1 must not speak as if it knew them.
UNASKED = ("back pain", "knee pain", "osteoporosis", "steroid", "pregnan", "weeks ago")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(LIST_CHOICES["red_flags"]), unique=True, min_size=1),
    st.none() | st.sampled_from(CHOICES["age_band"]),
)
def test_a_stop_after_the_safety_step_names_only_what_was_ticked(flags, age_band) -> None:
    raw = {"red_flags": flags} | ({"age_band": age_band} if age_band else {})
    message = ENGINE.screen(parse_answers(raw)).triage.message.lower()
    assumed = [phrase for phrase in UNASKED if phrase in message]
    assert assumed == [], f"{flags} reads {message!r}"
