"""What the analyst page says about shoppers: the funnel, real against simulated feedback,
products by name and a trust verdict that says when the data was simulated."""

from __future__ import annotations

import pandas as pd

from training import analytics
from training.trust import verdict_line
from views.analyst_charts import funnel_chart, line_chart, over_time_description

STAGES = {"step-1": "step 1: where", "step-2": "step 2: more", "results": "saw their matches"}


def _counts(**shoppers: int) -> pd.DataFrame:
    rows = [("2026-12-01", stage.replace("_", "-"), n) for stage, n in shoppers.items()]
    return pd.DataFrame(rows, columns=["day", "stage", "shoppers"])


def _feedback(sessions: dict[str, list[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    created = pd.Timestamp("2026-12-01T10:00Z")
    frame = pd.DataFrame({"session_id": list(sessions), "created_at": created})
    events = pd.DataFrame(
        [(sid, kind) for sid, kinds in sessions.items() for kind in kinds],
        columns=["session_id", "event"],
    )
    return frame, events


def test_funnel_shows_where_shoppers_leave_from_first_step_to_purchase():
    sessions, events = _feedback(
        {
            "a": ["impression", "click", "purchase"],
            "b": ["impression", "click"],
            "c": ["impression"],
            "sim-0-1": ["impression", "click", "purchase"],  # simulated: never counted
        }
    )
    table = analytics.funnel_table(
        _counts(step_1=10, step_2=6, results=3, safety_stop=1), sessions, events, STAGES
    ).set_index("stage")

    assert list(table.index) == [
        "step 1: where",
        "step 2: more",
        "saw their matches",
        analytics.FUNNEL_CLICKED,
        analytics.FUNNEL_BOUGHT,
        "sent to care by the safety questions",
    ]
    assert table["shoppers"].tolist() == [10, 6, 3, 2, 1, 1]
    assert table.loc["step 1: where", "left before the next stage"] == 4
    assert table.loc["step 2: more", "share of the first step"] == 0.6
    # The stop is care, not a loss: it has no "left" count.
    assert pd.isna(table.loc["sent to care by the safety questions", "left before the next stage"])
    assert (
        "most shoppers left after step 1: where (4)"
        in funnel_chart(table.reset_index()).description
    )


def test_no_funnel_counts_give_an_empty_table():
    sessions, events = _feedback({})
    assert analytics.funnel_table(_counts(), sessions, events, STAGES).empty


def test_simulated_feedback_is_charted_apart_over_its_own_dates():
    events = pd.DataFrame(
        {
            "session_id": ["sim-1-1", "sim-1-2", "real-1", "real-2"],
            "ts": pd.to_datetime(
                ["2025-01-02T10:00Z", "2025-01-09T10:00Z", "2026-12-01T10:00Z", "2026-12-03T10:00Z"]
            ),
            "event": pd.Categorical(["click", "click", "click", "impression"]),
        }
    )
    parts = analytics.events_by_source(events)
    assert list(parts) == [analytics.SHOPPERS, analytics.SIMULATED]
    shoppers = analytics.feedback_over_time(parts[analytics.SHOPPERS])
    # Real shoppers' chart covers their three days, daily, not two years of weeks.
    assert list(shoppers.index.strftime("%Y-%m-%d")) == ["2026-12-01", "2026-12-02", "2026-12-03"]
    described = over_time_description(shoppers, analytics.SHOPPERS)
    assert "from 2026-12-01 to 2026-12-03" in described and "1 click" in described
    chart = line_chart(shoppers, "date", "events", described)
    assert chart.description == described  # the chart's text alternative


def test_only_real_feedback_gives_one_chart():
    events = pd.DataFrame(
        {"session_id": ["a"], "ts": pd.to_datetime(["2026-12-01T10:00Z"]), "event": ["click"]}
    )
    assert list(analytics.events_by_source(events)) == [analytics.SHOPPERS]


def test_helpfulness_names_each_product_beside_its_sku():
    events = pd.DataFrame(
        {"sku": ["KS-101", "KS-101", "XX-9"], "event": ["impression", "click", "impression"]}
    )
    table = analytics.helpfulness_by_product(events, {"KS-101": "Knee sleeve Lite"})
    assert table.loc["KS-101", "name"] == "Knee sleeve Lite"
    assert table.loc["XX-9", "name"] == "(no longer in the catalog)"
    assert table.columns[0] == "name"


def test_trust_verdict_says_when_the_model_learned_from_simulated_sessions():
    card = {
        "trust": {"trusted": True, "reason": "beats rules-only"},
        "synthetic_sessions": 4000,
        "data": {"train_sessions": 4000},
    }
    line = verdict_line(card)
    assert line.startswith("trusted, on simulated data (4,000 of 4,000 training sessions")
    assert line.endswith(": beats rules-only")
    real = verdict_line({**card, "synthetic_sessions": 0})
    assert real == "trusted: beats rules-only"
