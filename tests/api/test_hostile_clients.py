"""Careless and hostile clients meet clear refusals: other sites' forms, floods, guessed keys,
claimed session ids (SPEC section 7, revision 3)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from recommender.api import create_app
from recommender.api.throttle import MAX_WRONG_KEYS
from recommender.errors import InputError
from recommender.feedback import read_sessions
from tests.api.conftest import BEARER, KEY, OTHER_BEARER

KNEE = {"answers": {"pain_areas": ["knee"]}}


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
        {},
    ],
)
def test_another_sites_form_cannot_create_sessions(client, store, headers):
    # A "simple" cross-site POST (a form, or text/plain) needs no CORS pre-flight.
    reply = client.post(
        "/v1/recommendations", content=b'{"answers": {"pain_areas": ["knee"]}}', headers=headers
    )

    assert reply.status_code == 415
    assert reply.json()["field"] == "Content-Type"
    assert read_sessions(store).empty


def test_json_with_a_charset_is_json(client):
    reply = client.post(
        "/v1/recommendations",
        content=b'{"answers": {}}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )

    assert reply.status_code == 200


def test_every_answer_says_do_not_cache_and_do_not_sniff(client):
    replies = [
        client.get("/v1/health"),
        client.post("/v1/recommendations", json=KNEE),
        client.post("/v1/recommendations", json={}),
        client.post("/v1/recommendations", content=b"x", headers={"Content-Type": "text/plain"}),
        client.post("/v1/events", json={"events": []}),
        client.get("/no/such/page"),
        client.get("/v1/recommendations"),
        client.get("/openapi.json"),
    ]

    assert [r.status_code for r in replies] == [200, 200, 422, 415, 401, 404, 405, 200]
    for reply in replies:
        assert reply.headers["cache-control"] == "no-store"
        assert reply.headers["x-content-type-options"] == "nosniff"


def test_a_wrong_method_is_told_which_one_the_path_takes(client):
    reply = client.get("/v1/events")

    assert reply.status_code == 405
    assert reply.headers["allow"] == "POST"


def test_a_client_over_its_rate_is_told_when_to_come_back(make_client):
    client = make_client(rate_per_minute=3)

    codes = [client.post("/v1/recommendations", json=KNEE).status_code for _ in range(4)]
    refused = client.post("/v1/recommendations", json=KNEE)

    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 20  # one request per 20 s at 3 a minute
    assert "RECOMMENDER_API_RATE" not in refused.text  # the setting is ours, not the client's


def test_a_keyed_client_has_its_own_allowance(make_client):
    client = make_client(rate_per_minute=2)
    for _ in range(2):
        assert client.post("/v1/recommendations", json=KNEE).status_code == 200
    assert client.post("/v1/recommendations", json=KNEE).status_code == 429

    keyed = client.post("/v1/recommendations", json=KNEE, headers=BEARER)

    assert keyed.status_code == 200


def test_a_stranger_cannot_claim_the_shops_session_id(client, store):
    claimed = client.post("/v1/recommendations", json={**KNEE, "session_id": "order-1001"})
    later = client.post(
        "/v1/recommendations", json={**KNEE, "session_id": "order-1001"}, headers=BEARER
    )

    assert claimed.status_code == 401 and claimed.json()["field"] == "session_id"
    assert later.status_code == 200 and later.json()["session_id"] == "order-1001"
    assert list(read_sessions(store)["session_id"]) == ["order-1001"]


def test_each_session_says_which_client_made_it_never_the_key(client, store):
    public = client.post("/v1/recommendations", json=KNEE).json()["session_id"]
    bare = client.post("/v1/recommendations", json=KNEE, headers=BEARER).json()["session_id"]
    named = client.post("/v1/recommendations", json=KNEE, headers=OTHER_BEARER).json()

    clients = dict(read_sessions(store)[["session_id", "client"]].itertuples(index=False))
    assert clients[public] == "public"
    assert clients[named["session_id"]] == "reporting"
    assert clients[bare].startswith("key-") and KEY not in clients[bare]


def test_a_wrong_key_on_recommendations_is_refused_not_ignored(client, store):
    reply = client.post(
        "/v1/recommendations", json=KNEE, headers={"Authorization": "Bearer guess-guess-guess"}
    )

    assert reply.status_code == 401
    assert read_sessions(store).empty


def test_guessing_keys_from_one_address_is_slowed_down(client):
    rows = {"events": [{"session_id": "s", "ts": "2026-01-01T00:00:00Z", "sku": "KN-101",
                        "position": 1, "event": "click"}]}  # fmt: skip
    guesses = [
        client.post("/v1/events", json=rows, headers={"Authorization": f"Bearer guess-{n:012d}"})
        for n in range(MAX_WRONG_KEYS + 2)
    ]
    # Even the right key waits now: the address is throttled, its keys are not compared.
    right = client.post("/v1/events", json=rows, headers=BEARER)

    assert [g.status_code for g in guesses[:MAX_WRONG_KEYS]] == [401] * MAX_WRONG_KEYS
    assert {g.status_code for g in guesses[MAX_WRONG_KEYS:]} == {429}
    assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1


@pytest.mark.parametrize("keys", [("short-key",), (KEY, "x")])
def test_a_short_key_is_refused_when_the_app_is_made(api_settings, keys):
    with pytest.raises(InputError, match=r"RECOMMENDER_API_KEYS.*at least 16"):
        create_app(api_settings, api_keys=keys)


@pytest.mark.parametrize(
    ("setting", "value"),
    [("RECOMMENDER_API_KEYS", f"{KEY},abc"), ("RECOMMENDER_API_RATE", "lots")],
)
def test_serve_refuses_a_bad_api_setting_before_it_starts(api_settings, tmp_path, setting, value):
    env = {**os.environ, "RECOMMENDER_DB": api_settings.db_url, setting: value}
    done = subprocess.run(
        [sys.executable, "-m", "recommender_cli.main", "serve", "--port", "1"],
        env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip

    assert done.returncode == 2
    assert setting in done.stderr and "Traceback" not in done.stderr
    assert KEY not in done.stderr  # a key is never shown, not even a good one
