"""The funnel as shoppers make it: each stage counted once, nothing kept of who left early."""

from __future__ import annotations

from shopper_flow import knee_and_back_shopper, next_step
from streamlit.testing.v1 import AppTest

from recommender.feedback import FeedbackStore, read_sessions
from recommender.feedback.funnel import read_funnel


def _funnel(db_url: str) -> dict[str, int]:
    with FeedbackStore.open(db_url) as store:
        return read_funnel(store).groupby("stage")["shoppers"].sum().to_dict()


def test_a_shopper_who_leaves_at_the_safety_check_leaves_counts_and_no_answers(
    app: AppTest, db_url: str
) -> None:
    app.pills(key="q_pain_areas").set_value(["knee"]).run()
    app.radio(key="q_age_band").set_value("55_64").run()
    app.run()  # a redraw of the same step is not a second shopper
    next_step(app)  # to the safety check, then the shopper leaves

    assert _funnel(db_url) == {"step-1": 1, "step-2": 1}
    with FeedbackStore.open(db_url) as store:
        assert read_sessions(store).empty  # the answers so far are not stored


def test_a_shopper_who_gets_results_is_counted_at_every_step_and_the_results(
    app: AppTest, db_url: str
) -> None:
    knee_and_back_shopper(app)
    counts = _funnel(db_url)
    assert counts.pop("results") == 1
    assert set(counts.values()) == {1}  # one shopper, once per step
    assert len(counts) >= 4
