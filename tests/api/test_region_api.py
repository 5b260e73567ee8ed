"""The API answers in the shop's region's words (`RECOMMENDER_REGION`), as the finder does."""

from __future__ import annotations

from recommender.shopper.region import region_for

SCIATICA_BOTH_LEGS = {"pain_areas": ["lower_back"], "red_flags": ["sciatica_both_legs"]}


def test_a_us_shop_s_api_tells_a_shopper_with_a_red_flag_to_call_911(make_client):
    client = make_client(region=region_for("US"))
    body = client.post("/v1/recommendations", json={"answers": SCIATICA_BOTH_LEGS}).json()
    assert body["items"] == [] and body["triage"]["level"] == "emergency"
    assert "call 911" in body["triage"]["message"] and "999" not in body["triage"]["message"]


def test_a_shop_with_no_region_set_answers_with_999(client):
    body = client.post("/v1/recommendations", json={"answers": SCIATICA_BOTH_LEGS}).json()
    assert "call 999" in body["triage"]["message"]
