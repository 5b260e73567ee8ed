"""uvicorn's HTTP/1.1 protocol (httptools) with limits on what one connection may hold.

uvicorn bounds neither the request head nor the time a client takes to send it: a 256 MB header
was read whole, 100,000 headers were answered, a client sending a byte a second was held for
good, and so was a socket that never sent anything. `GuardedHttp` adds:

- `MAX_HEAD_BYTES` for the request line and headers together, and `MAX_HEADERS` headers:
  past either, 431 and the connection is closed. The head is fed to the parser in pieces no
  larger than what is still allowed, so no more than the limit is ever buffered.
- `READ_TIMEOUT` seconds for a whole request (head and body) from its first byte: past it, 408
  (or, once the app has the request, just the close) so a slow sender frees its place.
- `IDLE_TIMEOUT` seconds for a new connection to start its first request (uvicorn's own
  keep-alive timeout covers the wait between requests).

`serve` names this class as uvicorn's `http` protocol.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from recommender.api.edge import SECURITY_HEADERS

MAX_HEAD_BYTES = 32 * 1024
MAX_HEADERS = 100
READ_TIMEOUT = 10.0
IDLE_TIMEOUT = 5.0
PROTOCOL = f"{__name__}:GuardedHttp"


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol, with limits on a connection's request head and its time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._head_done = False
        self._header_count = 0
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the connection, with `IDLE_TIMEOUT` seconds for its first request to begin."""
        super().connection_made(transport)
        self._arm(IDLE_TIMEOUT)

    def connection_lost(self, exc: Exception | None) -> None:
        """End the connection, with no deadline left to fire."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Pass bytes to the parser, never more head than `MAX_HEAD_BYTES` (431 past it)."""
        while data:
            if self._head_done:
                super().data_received(data)
                return
            room = MAX_HEAD_BYTES - self._head_bytes
            if room <= 0:
                self._refuse(431, "the request headers are larger than allowed")
                return
            part, data = data[:room], data[room:]
            self._head_bytes += len(part)
            super().data_received(part)
            if self.transport.is_closing():
                return

    def on_message_begin(self) -> None:
        """A new request: its headers counted afresh, `READ_TIMEOUT` seconds to arrive."""
        super().on_message_begin()
        self._header_count = 0
        self._arm(READ_TIMEOUT)

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count one request header; past `MAX_HEADERS`, 431."""
        self._header_count += 1
        if self._header_count > MAX_HEADERS:
            self._refuse(431, f"more than {MAX_HEADERS} request headers")
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """The head is read: hand the request on, unless it was refused."""
        if self.transport.is_closing():
            return
        self._head_done = True
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        """Pass a piece of the body on, unless the request was refused."""
        if not self.transport.is_closing():  # a refused head has no request to give it to
            super().on_body(body)

    def on_message_complete(self) -> None:
        """The request is in: clear its deadline, and give the next head a fresh allowance."""
        self._disarm()
        if self.transport.is_closing():
            return
        super().on_message_complete()
        # The next bytes on this connection start a new head, with a fresh allowance.
        self._head_bytes = 0
        self._head_done = False

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and self._head_bytes:  # part of a request came, too slowly: say so
            self._refuse(408, "the request was not sent in time")
            return
        self.transport.close()

    def _refuse(self, status: int, message: str) -> None:
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # a response is under way on this connection: just close
            return
        body = json.dumps({"error": message}).encode()
        reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
        head = [b"HTTP/1.1 %d %s" % (status, reason), b"content-type: application/json"]
        head += [b"%s: %s" % pair for pair in SECURITY_HEADERS]
        head += [b"content-length: %d" % len(body), b"connection: close"]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()
