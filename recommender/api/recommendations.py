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
import threading
from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from recommender.api.bodies import RecommendationRequest, documented, json_object, whole_number
from recommender.api.problems import BadRequestBody
from recommender.api.state import Serving, Worker, get_serving, get_writer_opener
from recommender.errors import InputError, StoreError
from recommender.feedback.records import FieldProblem, check_text
from recommender.feedback.shown import ShownWriter
from recommender.shop.shopping import FeedbackLog, show_products
from recommender.shopper.answers import MAX_ANSWERS_BYTES, Answers, parse_answers
from recommender.shopper.engine import DEFAULT_K, MAX_K

router = APIRouter(tags=["recommendations"])
FIELDS = ("answers", "k", "session_id")


class ApiFeedbackLog(FeedbackLog):
    """The finder's log, except that bad input (a session id already used) reaches the caller."""

    failures = (StoreError,)


@router.post(
    "/v1/recommendations",
    response_model=dict[str, Any],  # documents the body; the route sends it already encoded
    openapi_extra=documented(RecommendationRequest),
    responses={
        200: {"description": "SPEC section 4's result plus `session_id`"},
        413: {"description": "body over 1 MB"},
        422: {"description": "bad input; `field` names it"},
    },
)
async def recommend(
    request: Request,
    state: Worker,
    serving: Annotated[Serving, Depends(get_serving)],
    open_writer: Annotated[Callable[[], ShownWriter], Depends(get_writer_opener)],
) -> Response:
    # Few dependencies on purpose: solving each costs more than the store lookups they wrap.
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
    # Scoring, the store write and encoding are blocking work: off the event loop, in one go.
    try:
        encoded = await run_in_threadpool(
            _recommend_and_log,
            serving,
            answers,
            ApiFeedbackLog(state.store, open_writer),
            explore_share=state.settings.explore_share,
            explore_top_n=state.settings.explore_top_n,
            k=k,
            session_id=session_id,
        )
    except InputError as error:  # the store refused the caller's session id (already used)
        raise BadRequestBody(str(error), "session_id") from None
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
    # Compact UTF-8, as FastAPI's own encoder writes it.
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()


def _session_id(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return check_text("session_id", value)
    except FieldProblem as problem:
        raise BadRequestBody(str(problem), "session_id") from None


_per_thread = threading.local()


def _thread_rng() -> np.random.Generator:
    # numpy generators are not safe to share between threads, and seeding a new one from the
    # operating system for every request costs more than the draws: one per pool thread.
    if not hasattr(_per_thread, "rng"):
        _per_thread.rng = np.random.default_rng()
    rng: np.random.Generator = _per_thread.rng
    return rng
