"""`serve --workers 2` keeps answering while crafted model texts are imported and forced in.

A real server process: the crafted texts are refused by `models import`, and the ones forced
into the registry by hand (files, record, a forged pass and registry.json all edited) are
refused by every worker when it reloads, which then serves rules-only instead of crashing.
"""

from __future__ import annotations

import time

import httpx
import pytest

from recommender.api.state import RECHECK_SECONDS
from recommender.api.workers import STEADY_SECONDS, RestartBackoff
from recommender_cli.main import main
from tests.api.live_server import live_server
from tests.model.test_model_check import (
    CRAFTED,
    bad_child_index,
    cycle,
    force_into_registry,
    model_folder,
)

ANSWERS = {"pain_areas": ["knee"], "activities": ["running"]}
REQUESTS = 12


def _answers_from(base: str) -> list[httpx.Response]:
    # A new connection each: the kernel spreads them over both workers' sockets.
    body = {"answers": ANSWERS, "k": 3}
    answers = [
        httpx.post(f"{base}/v1/recommendations", json=body, timeout=30) for _ in range(REQUESTS)
    ]
    return [*answers, httpx.get(f"{base}/v1/health", timeout=30)]


@pytest.mark.slow  # a real two-worker server, reloading twice
# The guard checks model files, whichever store the shop uses: one backend will do.
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_two_workers_keep_answering_while_crafted_models_are_imported_and_forced(
    api_settings, small_model, tmp_path, monkeypatch
):
    env = {
        "RECOMMENDER_DB": api_settings.db_url,
        "RECOMMENDER_CATALOG": str(api_settings.catalog_dir),
        "RECOMMENDER_MODELS": str(api_settings.models_dir),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    text = small_model.model_text()

    with live_server(env, tmp_path, workers=2) as (base, log):
        for name, (craft, _) in CRAFTED.items():
            folder = model_folder(
                tmp_path / "elsewhere" / name.replace(" ", "-"), craft(text), small_model
            )
            assert main(["models", "import", str(folder)]) == 2
        imported = _answers_from(base)
        served = []
        for model_id, craft in (("m-bad-child", bad_child_index), ("m-cycle", cycle)):
            force_into_registry(api_settings, craft(text), small_model, model_id)
            time.sleep(RECHECK_SECONDS + 0.5)  # every worker sees the change and reloads
            served.append(_answers_from(base))
        shown = log.read_text()

    for answers in (imported, *served):
        assert [r.status_code for r in answers] == [200] * (REQUESTS + 1)
    for answers in served:
        assert {r.json()["model_version"] for r in answers[:-1]} == {"rules-only"}
    assert "exited" not in shown  # no worker died


class _Dead:
    pid, exitcode = 4242, -11


def test_a_worker_that_keeps_dying_is_restarted_ever_later_not_in_a_tight_loop():
    now = [0.0]
    backoff = RestartBackoff(clock=lambda: now[0])
    waits = []
    for _ in range(8):  # each replacement dies a second after it starts
        now[0] += 1.0
        died_at = now[0]
        while not backoff.due(_Dead()):
            now[0] += 0.5
        waits.append(now[0] - died_at)

    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]
    now[0] += STEADY_SECONDS + 1  # one that ran a good while is replaced at once
    assert backoff.due(_Dead())
