"""A product that came back (`returned`, SPEC section 5 revision 2): stored, exchanged, learned
from as a "no", and counted per product on the analyst page."""

from __future__ import annotations

import csv

import pandas as pd

from recommender.feedback import EVENT_COLUMNS, SESSION_COLUMNS, export_feedback, import_feedback
from tests.feedback.feedback_csv import event_row, session_row, write_csv
from training import analytics
from training.dataset import GRADE, NEGATIVE_GRADE, _graded_rows


def test_a_return_travels_through_import_and_export_unchanged(store, tmp_path):
    sessions = write_csv(tmp_path / "sessions.csv", SESSION_COLUMNS, [session_row("order-1")])
    events = write_csv(
        tmp_path / "events.csv",
        EVENT_COLUMNS,
        [
            event_row("order-1", 1),
            event_row("order-1", 1, event="purchase", ts="2025-03-01T10:05:00Z"),
            event_row("order-1", 1, event="returned", ts="2025-03-09T08:00:00Z"),
        ],
    )

    import_feedback(store, sessions, events)
    export_feedback(store, tmp_path / "out")

    with (tmp_path / "out" / "events.csv").open(newline="", encoding="utf-8") as exported:
        kinds = [row["event"] for row in csv.DictReader(exported)]
    assert kinds == ["impression", "purchase", "returned"]


def _events(rows: list[tuple[str, str, int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["session_id", "sku", "position", "event"])
    return frame.assign(propensity=1.0)


def test_a_returned_purchase_teaches_the_model_no_not_yes():
    events = _events(
        [
            ("kept", "KN-101", 1, "impression"),
            ("kept", "KN-101", 1, "purchase"),
            ("sent-back", "KN-101", 1, "impression"),
            ("sent-back", "KN-101", 1, "purchase"),
            ("sent-back", "KN-101", 1, "returned"),
        ]
    )

    grades = _graded_rows(events).set_index("session_id")[GRADE]

    assert grades["kept"] > 0
    assert grades["sent-back"] == NEGATIVE_GRADE


def test_analysts_see_how_often_each_product_comes_back():
    events = _events(
        [("a", "KN-101", 1, "purchase"), ("b", "KN-101", 1, "purchase"),
         ("b", "KN-101", 1, "returned"), ("c", "IN-201", 2, "purchase")]
    )  # fmt: skip

    table = analytics.helpfulness_by_product(events)

    assert table.loc["KN-101", "returned"] == 1
    assert table.loc["KN-101", "return_rate"] == 0.5
    assert table.loc["IN-201", "return_rate"] == 0.0
