"""The analyst page and the numbers behind it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from training import analytics
from views.signin import SIGNED_IN_ROLES, SIGNED_IN_USER

PAGE = Path(__file__).resolve().parents[2] / "views" / "analyst.py"


def test_explore_click_curve_falls_with_position(feedback):
    curve = analytics.click_rate_by_position(feedback.events, feedback.sessions)["explore"]
    assert curve.loc[1] > 1.5 * curve.loc[5]  # shoppers look less at lower positions


def test_signed_in_analyst_sees_feedback_and_models(settings):
    page = AppTest.from_file(str(PAGE), default_timeout=60)
    page.session_state[SIGNED_IN_ROLES] = ("analyst",)
    page.session_state[SIGNED_IN_USER] = "ana"
    page.run()

    assert not page.exception
    headings = [h.value for h in page.subheader]
    assert headings[:3] == [
        "Feedback over time",
        "Click rate by position",
        "Helpfulness by product",
    ]
    assert any("rules-only" in text.value for text in page.markdown)  # no models trained yet
