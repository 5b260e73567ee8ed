"""The analyst page and the numbers behind it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from recommender.feedback import FeedbackStore
from recommender.feedback.records import Impression
from recommender.model import registry
from recommender.shopper.answers import parse_answers
from tests.readable import readable
from training import analytics
from training.counterfactual import PRIMARY_ESTIMATOR
from training.pipeline import promote_model
from views.promotion import SIMULATED_MARK
from views.signin import SIGNED_IN_ROLES, SIGNED_IN_USER

# Slow: the page is tested over a store filled and trained once (a minute and more).
pytestmark = pytest.mark.slow

PAGE = Path(__file__).resolve().parents[2] / "views" / "analyst.py"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def test_explore_click_curve_falls_with_position(feedback):
    curve = analytics.click_rate_by_position(feedback.events, feedback.sessions)["explore"]
    assert curve.loc[1] > 1.5 * curve.loc[5]  # shoppers look less at lower positions


def test_estimated_examination_separates_attention_from_the_rules_choice(engine, ranked_shop):
    feedback, _ = ranked_shop
    table = analytics.examination_by_position(feedback.events, feedback.sessions, engine)
    truth = (1.0 / table.index) ** feedback.world.examination_power

    assert (table[analytics.ESTIMATE_LOW] <= table[analytics.ESTIMATED]).all()
    assert ((table[analytics.ESTIMATED] - truth).abs() < 0.05).all()
    # The raw ranked curve falls faster: the rules put the products shoppers like first.
    assert table.loc[5, "raw click rate, ranked"] < table.loc[5, analytics.ESTIMATED]


def _arm_sessions(arm: str, sessions: int, good: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"{arm}-{n}" for n in range(sessions)]
    shown = pd.DataFrame({"session_id": ids, "event": "impression"})
    clicked = pd.DataFrame({"session_id": ids[:good], "event": "click"})
    return pd.DataFrame({"session_id": ids, "experiment": arm}), pd.concat([shown, clicked])


def test_switching_boosts_off_shows_its_effect_against_the_control_arm():
    control, control_events = _arm_sessions("control", 400, good=200)
    no_boost, no_boost_events = _arm_sessions("no_boost", 400, good=80)
    earlier = pd.DataFrame({"session_id": ["before-1"], "experiment": [None]})
    table = analytics.outcomes_by_arm(
        pd.concat([control_events, no_boost_events]), pd.concat([control, no_boost, earlier])
    )

    assert table["sessions"].to_dict() == {"control": 400, "no_boost": 400}
    assert table.loc["no_boost", "vs_control"] == pytest.approx(-0.3)
    assert table.loc["no_boost", "high"] < 0 < table.loc["no_boost", "high"] + 0.3


def test_signed_in_analyst_sees_feedback_and_models(settings):
    page = AppTest.from_file(str(PAGE), default_timeout=60)
    page.session_state[SIGNED_IN_ROLES] = ("analyst",)
    page.session_state[SIGNED_IN_USER] = "ana"
    page.run()

    assert not page.exception
    headings = [h.value for h in page.subheader]
    assert headings[:4] == [
        "Feedback over time",
        "Click rate by position",
        "Helpfulness by product",
        "Experiment arms",
    ]
    assert any(
        "rules-only" in readable(text.value) for text in page.markdown
    )  # no models trained yet
    # Beside the raw click curve, the examination estimated from the logs, with its interval.
    assert any(analytics.ESTIMATED in frame.value for frame in page.dataframe)


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
    comparison = page.dataframe[-1].value.set_index("ranker")
    (model_id,) = comparison["model"].unique()
    # Only the model's own row says whether it is trusted; baselines show its lead over them.
    assert comparison.loc[model_id, "trusted"] in (True, False)
    assert comparison.loc[["rules-only", "popularity"], "trusted"].isna().all()
    assert comparison.loc["rules-only", analytics.LEAD_COLUMN].count("[") == 1
    assert comparison.loc["rules-only", analytics.CORRECTED_LEAD_COLUMN].count("[") == 1
    # The chart opens on the position-corrected estimate; the biased metrics are marked so.
    compare_on = next(box for box in page.selectbox if box.label == "Compare on")
    assert compare_on.value == analytics.corrected_name(PRIMARY_ESTIMATOR)
    assert all(
        option.endswith(("(position-corrected)", "(uncorrected, biased)"))
        for option in compare_on.options
    )
    # A model trained on simulated sessions is never just "trusted".
    assert any("simulated data" in readable(text.value) for text in page.success)

    promote_model(settings, model_id, force=True, allow_synthetic=True)
    path = settings.models_dir / model_id / registry.MODEL_FILE
    path.write_bytes(path.read_bytes() + b"\0")
    page = _signed_in_page()

    warnings = [readable(w.value) for w in page.warning]
    assert any("sha256" in w and "rules-only" in w for w in warnings)
    assert any("Serving: **rules-only**" in readable(text.value) for text in page.markdown)


def test_analyst_sees_a_simulated_model_marked_and_must_confirm_to_promote_it(settings, trained):
    model_id = trained.card.model_id
    page = _signed_in_page()
    assert any(SIMULATED_MARK in w.value for w in page.warning)

    _click(page, "Promote")
    assert any("Tick the confirmation" in readable(e.value) for e in page.error)
    assert registry.promoted_id(settings.models_dir) is None

    next(box for box in page.checkbox if box.label.startswith("I confirm")).check()
    _click(page, "Promote")
    assert any(f"promoted {model_id}" in readable(s.value) for s in page.success)
    assert registry.promoted_id(settings.models_dir) == model_id
    # The rerun after the promote already names the model now served.
    serving = [readable(m.value) for m in page.markdown if "Serving:" in m.value]
    assert serving == [f"Serving: **{model_id}**"], serving
    page = _signed_in_page()  # served now, and the page says on what it was trained
    assert any("simulated sessions" in readable(w.value) for w in page.warning)


def _click(page: AppTest, label: str) -> None:
    next(b for b in page.button if b.label == label).click()
    page.run()
    assert not page.exception


def test_feedback_is_read_once_and_reloaded_on_request(settings):
    page = _signed_in_page()
    impressions = _impressions_shown(page)
    with FeedbackStore.open(settings.db_url) as store:
        session_id = store.start_session(
            parse_answers({"pain_areas": ["knee"]}),
            triage_level="none",
            model_version="rules-only",
            policy="ranked",
        )
        store.log_impressions(session_id, [Impression("KS-101", 1, 1.0)])

    page.run()  # another widget change: the page reuses what it read
    assert _impressions_shown(page) == impressions
    next(b for b in page.button if b.label == "Reload feedback").click()
    page.run()
    assert _impressions_shown(page) == impressions + 1


def _impressions_shown(page: AppTest) -> int:
    table = next(frame.value for frame in page.dataframe if "impression" in frame.value)
    return int(table["impression"].sum())


def _signed_in_page() -> AppTest:
    page = AppTest.from_file(str(PAGE), default_timeout=120)
    page.session_state[SIGNED_IN_ROLES] = ("analyst",)
    page.session_state[SIGNED_IN_USER] = "ana"
    return page.run()


def test_feedback_over_a_20_month_gap_shows_the_quiet_months_as_zero_not_a_line():
    times = pd.to_datetime(["2024-01-03T10:00Z", "2024-01-04T11:00Z", "2025-09-02T09:00Z"])
    events = pd.DataFrame({"ts": times, "event": pd.Categorical(["click", "click", "click"])})
    counts = analytics.feedback_over_time(events)
    # Weekly over the long span, every week present: the chart drops to zero in the gap.
    assert counts.index.to_series().diff().dropna().eq(pd.Timedelta(weeks=1)).all()
    assert counts["click"].sum() == 3
    assert (counts.loc["2024-02-01":"2025-08-01", "click"] == 0).all()
    short = analytics.feedback_over_time(events.iloc[:2])
    assert list(short["click"]) == [1, 1]  # a short span stays daily
