"""The safety stop comes straight after the first step: its words assume nothing not yet asked."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.shopper.answers import CHOICES, LIST_CHOICES, parse_answers
from recommender.shopper.engine import load_engine
from recommender.shopper.safety import MAX_MESSAGE_CHARS

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


def test_three_long_warning_signs_still_fit_and_name_the_one_behind_the_reason_given() -> None:
    # Found by the message-length property: named in full, these three passed 500 characters.
    raw = {"red_flags": ["worsening_leg_weakness", "calf_swelling", "foot_wound_with_diabetes"]}
    message = ENGINE.recommend(parse_answers(raw), 5).triage.message

    assert len(message) <= MAX_MESSAGE_CHARS
    assert "blood clot" in message and "one calf that is painful" in message
    # Shortened only when it must: with the region's words it may fit whole (GB does since
    # revision 3 dropped "or your local emergency number").
    named_all = "getting worse" in message and "foot wound" in message
    assert named_all or "other answers" in message
