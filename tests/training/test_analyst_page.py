"""The analyst page and the numbers behind it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from recommender import registry
from training import analytics
from training.pipeline import promote_model
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


def test_visitor_who_is_not_signed_in_sees_no_numbers(settings):
    page = AppTest.from_file(str(PAGE), default_timeout=60)
    page.run()

    assert [t.value for t in page.title] == ["Sign in"]
    assert not page.subheader


def test_analyst_retrains_with_a_progress_bar_and_sees_the_new_model(settings):
    page = _signed_in_page()
    next(b for b in page.button if b.label == "Retrain now").click()
    page.run()

    assert not page.exception
    assert any(text.value.startswith("Trained m") for text in page.success)
    assert page.get("progress")  # the bar st.progress drew while training
    (model_id,) = page.dataframe[-1].value["model"].unique()

    promote_model(settings, model_id, force=True)
    path = settings.models_dir / model_id / registry.MODEL_FILE
    path.write_bytes(path.read_bytes() + b"\0")
    page = _signed_in_page()

    assert any("sha256" in w.value and "rules-only" in w.value for w in page.warning)
    assert any("Serving: **rules-only**" in text.value for text in page.markdown)


def _signed_in_page() -> AppTest:
    page = AppTest.from_file(str(PAGE), default_timeout=120)
    page.session_state[SIGNED_IN_ROLES] = ("analyst",)
    page.session_state[SIGNED_IN_USER] = "ana"
    return page.run()
