"""A checkout's events must match the session they name, as the store holds it (SPEC section 7,
revision 3): each mismatch is a 422 naming the row and field, and nothing of the request is kept.
Runs on SQLite, and on PostgreSQL when RECOMMENDER_TEST_PG_URL is set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recommender.api.event_checks import MAX_REPEATS
from recommender.feedback import read_events
from tests.api.conftest import BEARER


def at(seconds: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


@pytest.fixture
def shown(client):
    """A session the shop showed: its id and the SKUs at positions 1, 2, 3."""
    body = client.post(
        "/v1/recommendations", json={"answers": {"pain_areas": ["knee"]}, "k": 3}
    ).json()
    return body["session_id"], [item["sku"] for item in body["items"]]


def send(client, *rows):
    return client.post("/v1/events", json={"events": list(rows)}, headers=BEARER)


def row(session_id, sku, position=1, event="click", ts=None, **extra):
    return {"session_id": session_id, "ts": ts or at(), "sku": sku, "position": position,
            "event": event, **extra}  # fmt: skip


def outcomes(store):
    events = read_events(store)
    return events.loc[events["event"] != "impression"]


def test_a_product_never_shown_in_the_session_is_refused(client, store, shown):
    session_id, skus = shown
    never_shown = next(
        sku for sku in client.app.state.worker.engine().catalog.skus if sku not in skus
    )

    reply = send(client, row(session_id, skus[0]), row(session_id, never_shown))

    assert reply.status_code == 422 and reply.json()["field"] == "events[1].sku"
    assert never_shown in reply.json()["error"]
    assert outcomes(store).empty


@pytest.mark.parametrize("position", [2, 999])
def test_a_position_other_than_where_it_was_shown_is_refused(client, store, shown, position):
    session_id, skus = shown

    reply = send(client, row(session_id, skus[0], position=position))

    assert reply.status_code == 422 and reply.json()["field"] == "events[0].position"
    assert "position 1" in reply.json()["error"]


@pytest.mark.parametrize(
    "when",
    ["2020-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "before", "an hour ahead"],
)
def test_a_time_before_the_session_or_in_the_future_is_refused(client, store, shown, when):
    session_id, skus = shown
    ts = {"before": at(-3600), "an hour ahead": at(3600)}.get(when, when)

    reply = send(client, row(session_id, skus[0], ts=ts))

    assert reply.status_code == 422 and reply.json()["field"] == "events[0].ts"
    assert outcomes(store).empty


def test_a_checkout_clock_a_minute_off_either_way_is_allowed(client, store, shown):
    session_id, skus = shown

    reply = send(
        client, row(session_id, skus[0], ts=at(-60)), row(session_id, skus[1], 2, ts=at(60))
    )

    assert reply.status_code == 202


def test_a_return_needs_a_purchase_of_that_product_first(client, store, shown):
    session_id, skus = shown
    no_purchase = send(client, row(session_id, skus[0], event="returned"))
    other_product = send(
        client,
        row(session_id, skus[1], 2, event="purchase"),
        row(session_id, skus[0], event="returned", ts=at(1)),
    )
    returned_before_bought = send(
        client,
        row(session_id, skus[0], event="returned", ts=at(-10)),
        row(session_id, skus[0], event="purchase"),
    )

    for reply, where in ((no_purchase, 0), (other_product, 1), (returned_before_bought, 0)):
        assert reply.status_code == 422 and reply.json()["field"] == f"events[{where}].event"
    assert outcomes(store).empty


def test_a_return_after_a_stored_purchase_is_taken(client, store, shown):
    session_id, skus = shown
    assert send(client, row(session_id, skus[0], event="purchase")).status_code == 202

    reply = send(client, row(session_id, skus[0], event="returned", ts=at(1)))

    assert reply.status_code == 202
    assert sorted(outcomes(store)["event"]) == ["purchase", "returned"]


def test_the_propensity_is_the_impressions_not_the_clients(client, store, shown):
    session_id, skus = shown
    made_up = send(client, row(session_id, skus[0], propensity=1e-9))
    copied = send(client, row(session_id, skus[0]))
    same = send(client, row(session_id, skus[1], 2, propensity=1.0))

    assert made_up.status_code == 422 and made_up.json()["field"] == "events[0].propensity"
    assert copied.status_code == 202 and same.status_code == 202
    assert set(outcomes(store)["propensity"]) == {1.0}


def test_a_flood_of_one_event_for_one_product_is_capped(client, store, shown):
    session_id, skus = shown
    first = [row(session_id, skus[0], event="purchase", ts=at(-n)) for n in range(MAX_REPEATS)]
    assert send(client, *first).status_code == 202

    retry = send(client, *first)
    one_more = send(client, row(session_id, skus[0], event="purchase", ts=at(1)))

    assert retry.status_code == 202 and retry.json()["already_stored"] == MAX_REPEATS
    assert one_more.status_code == 422 and one_more.json()["field"] == "events[0].event"
    assert len(outcomes(store)) == MAX_REPEATS
