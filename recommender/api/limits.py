"""Request body size limit (1 MB), enforced before any route reads the body.

Checked twice: a declared Content-Length over the limit is refused without reading, and a body
streamed without one (chunked) is counted as it arrives and refused once it passes the limit,
so no request makes the server hold more than 1 MB of it.
"""

from __future__ import annotations

from typing import Any

from recommender.api.problems import problem

MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = f"the request body is larger than the {MAX_BODY_BYTES:,} bytes allowed"


class BodyLimit:
    """Pure ASGI middleware: buffers at most `limit` bytes, then replays them to the app."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        """Pass the request on, or answer 413 once its body grows past the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await problem(413, TOO_LARGE)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await problem(413, TOO_LARGE)(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: dict) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
