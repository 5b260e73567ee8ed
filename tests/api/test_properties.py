"""Properties over generated input: the API answers exactly as the command line does, and no
input, however odd, makes it fail with a 500."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.api import create_app
from recommender.settings import Settings
from recommender.shop.last_good import load_serving_engine
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, Engine
from tests.api.conftest import BEARER, KEY, UNLIMITED
from tests.conftest import CATALOG_DIR
from tests.strategies import raw_answers

JSON_BODY = {"Content-Type": "application/json"}
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Engine]]:
    root = tmp_path_factory.mktemp("api-properties")
    shutil.copytree(CATALOG_DIR, root / "catalog")
    current = Settings(
        db_url=f"sqlite:///{root / 'feedback.db'}",
        catalog_dir=root / "catalog",
        models_dir=root / "models",
        explore_share=0.0,
    )
    app = create_app(current, api_keys=(KEY,), rate_per_minute=UNLIMITED)
    app.state.worker.writer()  # open before the first request, as `serve` has it
    client = TestClient(app, raise_server_exceptions=False)
    # What `recommender recommend --rules-only` runs: the served engine without a model.
    yield client, load_serving_engine(Path(current.catalog_dir))
    client.app.state.worker.close()


@PROPERTY
@given(raw=raw_answers(), k=st.integers(min_value=1, max_value=MAX_K))
def test_for_any_valid_answers_the_api_result_equals_the_command_lines(served, raw, k):
    client, engine = served
    reply = client.post("/v1/recommendations", json={"answers": raw, "k": k})

    assert reply.status_code == 200
    body = reply.json()
    assert body.pop("session_id")
    expected = engine.recommend(parse_answers(raw), k).to_json_dict()
    assert body == json.loads(json.dumps(expected))


@PROPERTY
@given(answers=JSON, k=JSON, extra=st.dictionaries(st.text(max_size=8), JSON, max_size=2))
def test_no_recommendation_request_yields_a_server_error(served, answers, k, extra):
    client, _ = served
    body = {**extra, "answers": answers, "k": k}
    reply = client.post("/v1/recommendations", content=json.dumps(body), headers=JSON_BODY)

    assert reply.status_code in (200, 422)
    if reply.status_code == 422:
        assert "field" in reply.json() and "Traceback" not in reply.text


@PROPERTY
@given(rows=JSON, raw=st.binary(max_size=200))
def test_no_events_request_yields_a_server_error(served, rows, raw):
    client, _ = served
    for content in (json.dumps({"events": rows}).encode(), raw):
        reply = client.post("/v1/events", content=content, headers={**BEARER, **JSON_BODY})
        # The key is right, so every refusal here is about the body, and names where.
        assert reply.status_code == 422, reply.text
        assert "field" in reply.json()
