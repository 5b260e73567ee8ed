"""The finder's funnel: counts per day and stage, nothing about who."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from recommender.errors import InputError
from recommender.feedback.funnel import count_reached, read_funnel
from recommender.shop.funnel import reach


def test_each_shopper_reaching_a_stage_adds_one_to_that_day(store):
    monday = datetime(2026, 11, 30, 9, tzinfo=UTC)
    for _ in range(3):
        count_reached(store, "step-1", when=monday)
    count_reached(store, "results", when=monday)
    count_reached(store, "step-1", when=datetime(2026, 12, 1, 9, tzinfo=UTC))

    counts = read_funnel(store).set_index(["day", "stage"])["shoppers"].to_dict()
    assert counts == {
        ("2026-11-30", "step-1"): 3,
        ("2026-11-30", "results"): 1,
        ("2026-12-01", "step-1"): 1,
    }


def test_the_funnel_table_holds_only_counts(store):
    columns = {c["name"] for c in inspect(store.engine).get_columns("funnel_counts")}
    assert columns == {"day", "stage", "shoppers"}  # no session, answer or address


@pytest.mark.parametrize("stage", ["", "Step 1", "x" * 40, "results'; DROP TABLE events;--"])
def test_a_stage_that_is_not_a_short_name_is_refused_by_name(store, stage):
    with pytest.raises(InputError, match="funnel stage"):
        count_reached(store, stage)
    assert read_funnel(store).empty


def test_a_shopper_is_counted_once_per_stage_however_often_the_page_redraws():
    counted: list[str] = []
    seen: set[str] = set()
    for stage in ["step-1", "step-1", "step-2", "step-1", "results", "results"]:
        reach(seen, stage, counted.append)
    assert counted == ["step-1", "step-2", "results"]


def test_a_store_that_cannot_be_written_never_stops_the_shopper():
    def broken(stage: str) -> None:
        raise InputError("the disk is full")

    assert reach(set(), "step-1", broken) is False
