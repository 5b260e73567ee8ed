"""POST /v1/recommendations: a shopper's answers in, SPEC section 4's result out, logged.

The same path as the finder: answers validated by `parse_answers`, an experiment arm drawn, the
order chosen (ranked, a small exploring share with its propensities, or, in an interleaving
test, the served and candidate rankings interleaved), and the session with its impressions and
arm written to the shared feedback store by `recommender.shop.shopping`.

The blocking work (scoring, the store write, JSON encoding) is one trip to the thread pool, and
the body goes out as bytes: FastAPI's own response validation would walk the result again.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from recommender.api.answers_schema import ID_PATTERN
from recommender.api.bodies import RecommendationRequest, documented, json_object, whole_number
from recommender.api.keys import API_KEYS_SETTING
from recommender.api.problems import BadRequestBody, Conflict, MissingKey, TooMany
from recommender.api.state import (
    Serving,
    Worker,
    WorkerState,
    get_serving,
    get_writer_opener,
    identify,
)
from recommender.errors import InputError, StoreError, short_value
from recommender.feedback.records import FieldProblem, check_text
from recommender.feedback.shown import ShownWriter
from recommender.shop.shopping import FeedbackLog, show_products
from recommender.shopper.answers import MAX_ANSWERS_BYTES, Answers, parse_answers
from recommender.shopper.engine import DEFAULT_K, MAX_K

router = APIRouter(tags=["recommendations"])
logger = logging.getLogger(__name__)
FIELDS = ("answers", "k", "session_id")


class ApiFeedbackLog(FeedbackLog):
    """The finder's log, except that bad input (a session id already used) reaches the caller,
    the session records its client, and each write's outcome is noted for /v1/health."""

    failures = (StoreError,)

    def __init__(self, state: WorkerState, open_writer: Callable[[], ShownWriter], client: str):
        super().__init__(state.store, open_writer)
        self.client = client
        self._watch = state.store_watch

    def wrote(self, error: Exception | None) -> None:
        """Note how a write went, for /v1/health."""
        self._watch.wrote(error)


@router.post(
    "/v1/recommendations",
    response_model=dict[str, Any],  # documents the body; the route sends it already encoded
    openapi_extra=documented(RecommendationRequest),
    responses={
        200: {
            "description": "SPEC section 4's result plus `session_id` (null, with a note "
            "in `notes`, when the feedback store could not record it in time)"
        },
        401: {"description": "a wrong key, or a `session_id` of your own sent without a key"},
        409: {"description": "the `session_id` you chose is already used"},
        413: {"description": "body over 1 MB"},
        415: {"description": "a body that is not `application/json`"},
        422: {"description": "bad input; `field` names it"},
        503: {"description": "no catalog can be served right now"},
        429: {
            "description": "over RECOMMENDER_API_RATE, or too many wrong keys; see `Retry-After`"
        },
    },
)
async def recommend(
    request: Request,
    state: Worker,
    serving: Annotated[Serving, Depends(get_serving)],
    open_writer: Annotated[Callable[[], ShownWriter], Depends(get_writer_opener)],
) -> Response:
    """Recommend for the posted answers (SPEC section 7) and log the session as the finder does."""
    # Few dependencies on purpose: solving each costs more than the store lookups they wrap.
    caller = identify(state, request, key_required=False)
    wait = state.rate.admit(caller.client if caller.keyed else f"address {caller.address}")
    if wait:
        raise TooMany(
            f"more than {state.rate.per_minute} recommendations a minute from this client; "
            "try again later",
            wait,
        )
    body = await json_object(request, FIELDS)
    if "answers" not in body:
        raise BadRequestBody("answers: is required (SPEC section 1, may be {})", "answers")
    # The command line's limit on one answers document holds here too (the body may be 1 MB).
    if len(json.dumps(body["answers"])) > MAX_ANSWERS_BYTES:
        raise BadRequestBody(
            f"answers: larger than the {MAX_ANSWERS_BYTES:,} bytes allowed", "answers"
        )
    answers = parse_answers(body["answers"])
    k = whole_number(body.get("k", DEFAULT_K), "k", 1, MAX_K)
    session_id = _session_id(body.get("session_id"))
    if session_id is not None and not caller.keyed:
        # A stranger could otherwise claim an id the shop means to use ("order-1001").
        raise MissingKey(
            f"session_id: an id of your own needs 'Authorization: Bearer KEY' with a key from "
            f"{API_KEYS_SETTING}; leave it out and one is made",
            "session_id",
        )
    # Scoring, the store write and encoding are blocking work: off the event loop, in one go.
    try:
        encoded = await run_in_threadpool(
            _recommend_and_log,
            serving,
            answers,
            ApiFeedbackLog(state, open_writer, caller.client),
            explore_share=state.settings.explore_share,
            explore_top_n=state.settings.explore_top_n,
            k=k,
            session_id=session_id,
        )
    except InputError as error:  # the store refused the caller's session id (already used)
        raise Conflict(str(error), "session_id") from None
    return Response(encoded, media_type="application/json")


def _recommend_and_log(
    serving: Serving,
    answers: Answers,
    log: FeedbackLog,
    *,
    explore_share: float,
    explore_top_n: int,
    k: int,
    session_id: str | None,
) -> bytes:
    """The finder's `show_products` (interleaving included), as the response body."""
    shown = show_products(
        serving.engine,
        answers,
        log,
        explore_share=explore_share,
        explore_top_n=explore_top_n,
        rng=_thread_rng(),
        k=k,
        session_id=session_id,
        candidate=serving.candidate,
    )
    result = shown.result.to_json_dict()
    result["session_id"] = shown.session_id
    if shown.note:
        result["notes"] = [shown.note]
    # Compact UTF-8, as FastAPI's own encoder writes it; orjson takes ~5 us where json took
    # ~400 us (a result's reasons are most of its text).
    return orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY)


def _session_id(value: Any) -> str | None:
    if value is None:
        return None
    try:
        session_id = check_text("session_id", value)
    except FieldProblem as problem:
        raise BadRequestBody(str(problem), "session_id") from None
    if not re.fullmatch(ID_PATTERN, session_id):  # the pattern /openapi.json gives
        raise BadRequestBody(
            f"session_id: {short_value(session_id)} is not an id we take: up to 200 letters, "
            "digits and . _ : - , starting with a letter or digit",
            "session_id",
        )
    return session_id


_per_thread = threading.local()


def _thread_rng() -> np.random.Generator:
    # numpy generators are not safe to share between threads, and seeding a new one from the
    # operating system for every request costs more than the draws: one per pool thread.
    if not hasattr(_per_thread, "rng"):
        _per_thread.rng = np.random.default_rng()
    rng: np.random.Generator = _per_thread.rng
    return rng
