"""POST /v1/recommendations: a shopper's answers in, SPEC section 4's result out, logged.

The same path as the finder: answers validated by `parse_answers`, an experiment arm drawn, the
order chosen (ranked, or a small exploring share with its propensities), and the session with
its impressions written to the shared feedback store by `recommender.shop.shopping`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from recommender.api.bodies import RecommendationRequest, documented, json_object, whole_number
from recommender.api.problems import BadRequestBody
from recommender.api.state import get_engine, get_rng, get_settings, get_store_opener
from recommender.errors import InputError, StoreError
from recommender.feedback import FeedbackStore
from recommender.feedback.records import FieldProblem, check_text
from recommender.settings import Settings
from recommender.shop.shopping import FeedbackLog, show_products
from recommender.shopper.answers import MAX_ANSWERS_BYTES, parse_answers
from recommender.shopper.engine import DEFAULT_K, MAX_K, Engine

router = APIRouter(tags=["recommendations"])
FIELDS = ("answers", "k", "session_id")


class ApiFeedbackLog(FeedbackLog):
    """The finder's log, except that bad input (a session id already used) reaches the caller."""

    failures = (StoreError,)


@router.post(
    "/v1/recommendations",
    openapi_extra=documented(RecommendationRequest),
    responses={
        200: {"description": "SPEC section 4's result plus `session_id`"},
        413: {"description": "body over 1 MB"},
        422: {"description": "bad input; `field` names it"},
    },
)
async def recommend(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    open_store: Annotated[Callable[[], FeedbackStore], Depends(get_store_opener)],
    settings: Annotated[Settings, Depends(get_settings)],
    rng: Annotated[np.random.Generator, Depends(get_rng)],
) -> dict[str, Any]:
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
    # Scoring and the store write are blocking work: off the event loop, in the thread pool.
    try:
        shown = await run_in_threadpool(
            show_products,
            engine,
            answers,
            ApiFeedbackLog(open_store),
            explore_share=settings.explore_share,
            rng=rng,
            k=k,
            session_id=session_id,
        )
    except InputError as error:  # the store refused the caller's session id (already used)
        raise BadRequestBody(str(error), "session_id") from None
    result = shown.result.to_json_dict()
    result["session_id"] = shown.session_id
    if shown.note:
        result["notes"] = [shown.note]
    return result


def _session_id(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return check_text("session_id", value)
    except FieldProblem as problem:
        raise BadRequestBody(str(problem), "session_id") from None
