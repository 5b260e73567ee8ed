"""What every response carries, and what every request body must be, before any route runs.

- Every response says `Cache-Control: no-store` (results and health answers hold a shopper's
  health details or our versions; no shared cache keeps them) and `X-Content-Type-Options:
  nosniff` (a browser never reads our JSON as anything else).
- A POST body is JSON or nothing we read: any other `Content-Type` (or none) is refused with
  415. A web page on another site can make a visitor's browser send a form or `text/plain`
  POST without asking first (a "simple" cross-site request); it cannot send
  `application/json` without a CORS pre-flight, which this API never grants.

Both are pure ASGI middleware: no request object is built for them.
"""

from __future__ import annotations

from typing import Any

from recommender.api.problems import problem

SECURITY_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
)
JSON_TYPE = "application/json"
NOT_JSON = f"send the body as JSON with 'Content-Type: {JSON_TYPE}'"


class SecurityHeaders:
    """Adds `SECURITY_HEADERS` to every HTTP response this app sends."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Pass the request on, with `SECURITY_HEADERS` added to an HTTP response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: dict) -> None:
            if message["type"] == "http.response.start":
                own = {name for name, _ in SECURITY_HEADERS}
                kept = [(n, v) for n, v in message.get("headers", ()) if n.lower() not in own]
                message = {**message, "headers": [*kept, *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_secured)


class JsonOnly:
    """Refuses (415) a POST whose body is declared as anything but `application/json`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Pass the request on, or answer 415 to a POST whose body is not declared as JSON."""
        if scope["type"] == "http" and scope["method"] == "POST" and not _is_json(scope):
            await problem(415, NOT_JSON, "Content-Type")(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _is_json(scope: dict) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media_type = value.split(b";", 1)[0].strip().lower()
            return media_type == JSON_TYPE.encode()
    return False
