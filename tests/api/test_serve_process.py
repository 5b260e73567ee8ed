"""`recommender serve` as the shop runs it: a real process, real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from recommender.api.state import RECHECK_SECONDS
from recommender.feedback import FeedbackStore, read_events
from recommender_cli.main import main
from tests.api.conftest import BEARER, KEY
from tests.api.live_server import ESTABLISHED, LISTENING, live_server, sockets_by_process

# Slow: each test starts real `recommender serve` processes.
pytestmark = pytest.mark.slow


def now(seconds: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


ANSWERS = {"pain_areas": ["knee", "lower_back"], "sitting_hours": 9, "habits": ["slouching"]}


@pytest.fixture
def env(api_settings) -> dict[str, str]:
    return {
        "RECOMMENDER_DB": api_settings.db_url,
        "RECOMMENDER_CATALOG": str(api_settings.catalog_dir),
        "RECOMMENDER_MODELS": str(api_settings.models_dir),
        "RECOMMENDER_API_KEYS": f"retired-key-2025-0001,{KEY}",
        "RECOMMENDER_EXPLORE_SHARE": "0",
    }


def test_a_shop_page_and_its_checkout_talk_to_a_running_server(env, tmp_path, api_settings):
    with live_server(env, tmp_path) as (base, log):
        health = httpx.get(f"{base}/v1/health", timeout=10)
        shown = httpx.post(
            f"{base}/v1/recommendations?utm_source=newsletter",
            json={"answers": ANSWERS, "k": 4},
            timeout=30,
        ).json()
        first = shown["items"][0]
        bought = httpx.post(
            f"{base}/v1/events",
            json={"events": [{"session_id": shown["session_id"], "ts": now(),
                              "sku": first["sku"], "position": 1, "event": "purchase"}]},
            headers=BEARER,
            timeout=30,
        )  # fmt: skip
        refused = httpx.post(f"{base}/v1/events", json={"events": []}, timeout=30)
        docs = httpx.get(f"{base}/openapi.json", timeout=10)

    assert health.json()["model_version"] == "rules-only"
    assert len(shown["items"]) == 4
    assert (bought.status_code, bought.json()) == (202, {"stored": 1, "already_stored": 0})
    assert refused.status_code == 401
    assert docs.status_code == 200
    # The command line gives the same products in the same order for the same answers.
    cli = subprocess.run(
        [sys.executable, "-m", "recommender_cli.main", "recommend", "--answers", "-",
         "--rules-only", "--k", "4"],
        input=json.dumps(ANSWERS), capture_output=True, text=True, env={**env, "PATH": "", "PYTHONPATH": os.environ.get("PYTHONPATH", "")},
        cwd=tmp_path, check=True, timeout=120,
    )  # fmt: skip
    assert [i["sku"] for i in json.loads(cli.stdout)["items"]] == [i["sku"] for i in shown["items"]]
    # The access log names the request but holds no answers, query string or address.
    lines = log.read_text()
    assert "POST /v1/recommendations" in lines
    for private in ("utm_source", "lower_back", "slouching", "127.0.0.1:"):
        assert private not in lines.replace(base, "")


def test_two_workers_writing_the_same_events_at_once_lose_and_double_nothing(
    env, tmp_path, api_settings
):
    with live_server(env, tmp_path, workers=2) as (base, _log):
        sessions = [
            httpx.post(f"{base}/v1/recommendations", json={"answers": ANSWERS}, timeout=30).json()
            for _ in range(6)
        ]
        rows = [
            {"session_id": s["session_id"], "ts": now(n),
             "sku": item["sku"], "position": item["rank"], "event": kind}
            for s in sessions
            for item in s["items"]
            for n, kind in enumerate(("click", "purchase", "returned"))
        ]  # fmt: skip
        replies: list[httpx.Response] = []

        def send(batch: list[dict]) -> None:
            # A fresh connection per batch, so the two workers both take part.
            with httpx.Client(timeout=60) as http:
                for start in range(0, len(batch), 10):
                    chunk = {"events": batch[start : start + 10]}
                    replies.append(http.post(f"{base}/v1/events", json=chunk, headers=BEARER))

        # Two checkouts send overlapping halves at once: every row is sent at least once.
        half = len(rows) * 2 // 3
        senders = [
            threading.Thread(target=send, args=(rows[:half],)),
            threading.Thread(target=send, args=(rows[len(rows) - half :],)),
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=120)

    assert all(r.status_code == 202 for r in replies), [r.text for r in replies]
    assert sum(r.json()["stored"] for r in replies) == len(rows)
    with FeedbackStore.open(api_settings.db_url) as store:
        outcomes = read_events(store).query("event != 'impression'")
    assert len(outcomes) == len(rows)
    assert not outcomes.duplicated(["session_id", "ts", "sku", "position", "event"]).any()


# Sockets, ports and reloading files play out the same on either store: one backend will do.
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads sockets from /proc")
def test_each_worker_listens_on_its_own_socket_and_a_second_server_on_its_port_is_refused(
    env, tmp_path
):
    # One running server of two workers for the whole story.
    with live_server(env, tmp_path, workers=2) as (base, _log):
        port = int(base.rsplit(":", 1)[1])
        # With one shared socket, the worker that last went idle wins each new connection,
        # and a shop's keep-alive pool can end up all on one busy worker. Own sockets let the
        # kernel spread them; which worker gets which connection is the kernel's choice.
        clients = [httpx.Client(base_url=base, timeout=30) for _ in range(16)]
        with ThreadPoolExecutor(16) as pool:
            replies = list(pool.map(lambda client: client.get("/v1/health"), clients))
        listening = sockets_by_process(port, LISTENING)
        connected = sockets_by_process(port, ESTABLISHED)
        for client in clients:
            client.close()
        # Then a second server on the same port, of one worker and of two, is refused.
        tries = {}
        for workers in ("1", "2"):
            done = subprocess.run(
                [sys.executable, "-m", "recommender_cli.main", "serve", "--port", str(port),
                 "--workers", workers],
                env={**os.environ, **env}, capture_output=True, text=True, cwd=tmp_path,
                timeout=60,
            )  # fmt: skip
            tries[workers] = (done, httpx.get(f"{base}/v1/health", timeout=30).status_code)

    assert all(reply.status_code == 200 for reply in replies)
    workers = {pid for pid, inodes in listening.items() if pid in connected}
    assert len({inode for pid in workers for inode in listening[pid]}) == 2, listening
    assert sum(len(connected[pid]) for pid in workers) == 16
    for workers, (done, still_serving) in tries.items():
        assert done.returncode == 2, workers
        assert f"cannot listen on 127.0.0.1:{port}" in done.stderr, workers
        assert "Traceback" not in done.stderr
        assert still_serving == 200


def test_serve_refuses_a_bad_port_with_a_usage_message(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "recommender_cli.main", "serve", "--port", "99999"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "99999 is outside 1 to 65535" in done.stderr and "Traceback" not in done.stderr


# Sockets, ports and reloading files play out the same on either store: one backend will do.
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_every_worker_serves_a_promoted_model_and_a_saved_catalog_without_a_restart(
    env, tmp_path, api_settings, trained_registry, monkeypatch
):
    folder, model_id = trained_registry
    shutil.copytree(folder, api_settings.models_dir)
    with live_server(env, tmp_path, workers=2) as (base, _log):
        before = _health_from_fresh_connections(base)
        weights = api_settings.catalog_dir / "weights.toml"
        weights.write_text(weights.read_text().replace("boost = 0.3", "boost = 0.2"))
        # The analyst's command, run here rather than in a process of its own: the server
        # only ever sees the files it writes.
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        promote = ["models", "promote", model_id, "--force", "--allow-synthetic"]
        assert main(promote) == 0
        time.sleep(RECHECK_SECONDS + 0.2)  # each worker looks at the files once a second at most
        after = _health_from_fresh_connections(base)

    assert {h["model_version"] for h in before} == {"rules-only"}
    # Every worker has looked at the folders again: none keeps serving the old versions.
    assert {h["model_version"] for h in after} == {model_id}
    assert not {h["weights_version"] for h in after} & {h["weights_version"] for h in before}


def _health_from_fresh_connections(base: str, count: int = 12) -> list[dict]:
    # A new connection each time, so both workers answer some of them.
    return [httpx.get(f"{base}/v1/health", timeout=30).json() for _ in range(count)]
