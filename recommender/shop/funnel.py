"""Which stage of the finder a shopper has reached, counted once per shopper.

The page names the stage; this module decides whether it is new for this shopper and hands it
to the store's counter (`recommender.feedback.funnel.count_reached`). A store that cannot be
written never stops a shopper: the count is dropped and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableSet

from recommender.errors import RecommenderError
from recommender.shop.questionnaire import STEPS

RESULTS = "results"
SAFETY_STOP = "safety-stop"

log = logging.getLogger(__name__)


def step_stage(step_index: int) -> str:
    """The stage name of the questionnaire's step `step_index` (0-based): 'step-1', ..."""
    return f"step-{step_index + 1}"


def reach(seen: MutableSet[str], stage: str, count: Callable[[str], None]) -> bool:
    """Count `stage` unless this shopper (`seen`, kept in their session) reached it before;
    True when it was counted now."""
    if stage in seen:
        return False
    seen.add(stage)
    try:
        count(stage)
    except RecommenderError as error:
        log.warning("funnel count dropped: %s", error)
        return False
    return True


def stage_names() -> dict[str, str]:
    """Each stage of the finder, in the order a shopper meets them, in words."""
    names = {
        step_stage(index): f"step {index + 1}: {step.title}" for index, step in enumerate(STEPS)
    }
    names[RESULTS] = "saw their matches"
    return names
