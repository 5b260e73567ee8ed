"""The one error boundary of the API: our error hierarchy to JSON, never a traceback.

Every refusal is `{"error": "<sentence>", "field": "<where>"}`; `field` names the JSON path at
fault (`answers.pain_areas`, `events[2].sku`) when there is one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from recommender.errors import AnswersError, CatalogError, InputError, RecommenderError, StoreError

logger = logging.getLogger(__name__)


class ApiError(RecommenderError):
    """A refusal with its HTTP status; `field` names the part of the request at fault."""

    status = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BadRequestBody(ApiError):
    """A request body the API cannot take: 422, naming the field."""

    status = 422


class MissingKey(ApiError):
    """No key, or a key not in RECOMMENDER_API_KEYS: 401."""

    status = 401


class Conflict(ApiError):
    """The request clashes with what is stored (a session id already used)."""

    status = 409


class BodyTooLarge(ApiError):
    """A request body over the size limit: 413."""

    status = 413


class NotJson(ApiError):
    """A body that is not JSON: 415."""

    status = 415


class TooMany(ApiError):
    """Over a rate, or too many wrong keys: 429 with `Retry-After` (whole seconds)."""

    status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


def problem(
    status: int,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The JSON error response of the API: `{"error": ..., "field": ...}` with `status`."""
    body: dict[str, str] = {"error": message}
    if field is not None:
        body["field"] = field
    sent = dict(headers or {})
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, headers=sent or None)


def register(app: FastAPI) -> None:
    """Install the handlers once; every route relies on them."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, error: ApiError) -> JSONResponse:
        retry = getattr(error, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry is not None else None
        return problem(error.status, str(error), error.field, headers)

    @app.exception_handler(AnswersError)
    async def _answers(_: Request, error: AnswersError) -> JSONResponse:
        top = error.field == "(top level)"
        return problem(422, str(error), "answers" if top else f"answers.{error.field}")

    @app.exception_handler(CatalogError)
    async def _catalog(_: Request, error: CatalogError) -> JSONResponse:
        # Only when there is no catalog at all to serve; the details are for staff logs.
        logger.error("no catalog to serve: %s", error)
        return problem(503, "the product catalog cannot be served right now")

    @app.exception_handler(InputError)
    async def _input(_: Request, error: InputError) -> JSONResponse:
        return problem(422, str(error))

    @app.exception_handler(StoreError)
    async def _store(_: Request, error: StoreError) -> JSONResponse:
        logger.error("feedback store: %s", error)
        return problem(503, "the feedback store cannot be reached right now; nothing was saved")

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return problem(422, f"{where or 'request'}: {first.get('msg')}", where or None)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> JSONResponse:
        # Starlette's 405 carries `Allow` (the methods the path takes): keep it.
        return problem(error.status_code, str(error.detail), headers=error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        logger.exception("unexpected failure")
        return problem(500, "unexpected failure; the server log has the details")
