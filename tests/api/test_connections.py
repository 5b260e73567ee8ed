"""Raw sockets against uvicorn with `serve`'s protocol: an oversized or overlong request head is
refused with 431, a client that sends too slowly is cut off, and a silent socket is not held.

The server runs in a thread of this process with the timeouts shortened, so nothing waits long.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from recommender.api import connections, create_app
from recommender.api.connections import MAX_HEAD_BYTES, MAX_HEADERS, GuardedHttp
from recommender.settings import Settings
from tests.api.live_server import LOOPBACK, free_port
from tests.conftest import CATALOG_DIR


@pytest.fixture
def server(tmp_path, monkeypatch) -> Iterator[int]:
    monkeypatch.setattr(connections, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(connections, "IDLE_TIMEOUT", 0.5)
    settings = Settings(
        db_url=f"sqlite:///{tmp_path / 'feedback.db'}",
        catalog_dir=CATALOG_DIR,
        models_dir=tmp_path / "models",
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, api_keys=()), host=LOOPBACK, port=port, http=GuardedHttp,
        log_level="warning", lifespan="off",
    )  # fmt: skip
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield port
    running.should_exit = True
    thread.join(30)


def exchange(port: int, *parts: bytes, pause: float = 0.0) -> bytes:
    """Send `parts` (with `pause` seconds between them) and read until the server closes."""
    with socket.create_connection((LOOPBACK, port), timeout=30) as sock:
        try:
            for part in parts:
                sock.sendall(part)
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server closed first, as it should have
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def head(*headers: bytes) -> bytes:
    return b"GET /v1/health HTTP/1.1\r\nHost: shop\r\n" + b"".join(headers) + b"\r\n"


def test_a_normal_request_is_answered_with_the_security_headers(server):
    reply = exchange(server, head(b"Connection: close\r\n"))

    assert reply.startswith(b"HTTP/1.1 200")
    assert b"cache-control: no-store" in reply.lower()


def test_one_huge_header_is_refused_with_431_without_reading_it_all(server):
    huge = b"X-Junk: " + b"a" * (MAX_HEAD_BYTES * 64) + b"\r\n"

    reply = exchange(server, head(huge))

    assert reply.startswith(b"HTTP/1.1 431")
    assert b"nosniff" in reply


def test_too_many_headers_are_refused_with_431(server):
    many = b"".join(b"X-H%d: 1\r\n" % n for n in range(MAX_HEADERS + 1))

    reply = exchange(server, head(many))

    assert reply.startswith(b"HTTP/1.1 431")


def test_a_client_sending_a_byte_at_a_time_is_cut_off(server):
    request = head()
    # Far longer than the (shortened) read timeout in all: the server gives up part-way.
    reply = exchange(server, *(request[n : n + 1] for n in range(len(request))), pause=0.1)

    assert reply.startswith(b"HTTP/1.1 408")


def test_a_socket_that_never_sends_anything_is_closed(server):
    with socket.create_connection((LOOPBACK, server), timeout=30) as sock:
        closed = sock.recv(1)  # returns b"" once the server closes; the timeout fails the test

    assert closed == b""


def test_a_keep_alive_connection_serves_several_requests_within_the_limits(server):
    two = head() + head(b"Connection: close\r\n")

    reply = exchange(server, two)

    assert reply.count(b"HTTP/1.1 200") == 2
