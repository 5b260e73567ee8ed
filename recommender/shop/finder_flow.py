"""The finder's way through its steps, and where it opens for an address.

The steps: where it hurts first, then the warning signs (SPEC section 2) that the clinical
coverage table ties to those areas and to everyone, a few screens of at most 8 boxes, then the
rest. `forward` and `back` move a `Place`; `gate` keeps every step after the safety check, and
the results, out of reach while a warning sign that could apply has not been asked (a shopper
who has not said where it hurts is asked all of them). The page only lays these places out.

The pure half of shareable links (the Streamlit half is `views/address.py`): an address's query
parameters become a draft and a step, and the shopper's place becomes an address again. Steps
are numbered from 1 in the address, as on the page ("Step 2 of 5"); `results` is the outcome.
A link with `red_flags` (`none` included) has answered the warning signs for its areas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from recommender.errors import AnswersError
from recommender.shop.links import (
    MAX_PARAMS,
    RESULTS,
    STEP_PARAM,
    Unrecognised,
    link_params,
    param_of,
    read_link,
    salvage,
)
from recommender.shop.questionnaire import (
    QUESTIONS,
    SAFETY_STEP,
    STEPS,
    WHERE_IT_HURTS_STEP,
    empty_draft,
    raw_answers,
)
from recommender.shopper.coverage import FlagScreen, red_flags_to_ask, titled_red_flag_screens

RESULTS_STEP = len(STEPS)
# Answers that give the engine something to match products on; safety answers and the budget
# alone say nothing about what would help.
MATCHING_FIELDS = (
    "pain_areas",
    "symptoms",
    "bunions",
    "feet_roll_inward",
    "sitting_hours",
    "activities",
    "habits",
)
NOTHING_TO_MATCH = (
    "Tell us where it hurts, or anything else on the next steps, so that we can suggest "
    "products that fit. Every question is optional, but with no answers at all there is "
    "nothing to match."
)


@dataclass(frozen=True, slots=True)
class Opening:
    """Where an address opens the finder."""

    draft: dict[str, Any]
    step: int  # 0-based; RESULTS_STEP for the results or the safety stop
    asked: frozenset[str]  # the warning signs the link has answered (SPEC section 9)
    then: int | None = None  # where to go once the safety questions are answered
    problem: str | None = None  # a bad value in the address, in plain words, naming the field

    @property
    def safety_answered(self) -> bool:
        """Whether every warning sign that could apply to the draft was asked."""
        return safety_done(self.draft, self.asked)


@dataclass(frozen=True, slots=True)
class Place:
    """Where the shopper is: a step (RESULTS_STEP for the outcome) and, on the safety check,
    which of its screens."""

    step: int
    screen: int = 0


def flag_screens(draft: Mapping[str, Any]) -> tuple[FlagScreen, ...]:
    """The safety check's screens for the areas in the draft, each with a heading."""
    return titled_red_flag_screens(draft.get("pain_areas") or ())


def screen_at(draft: Mapping[str, Any], place: Place) -> FlagScreen | None:
    """The screen of warning signs shown at `place`, or None off the safety check."""
    screens = flag_screens(draft)
    if place.step != SAFETY_STEP or not screens:
        return None
    return screens[min(place.screen, len(screens) - 1)]


def unasked_flags(draft: Mapping[str, Any], asked: frozenset[str]) -> tuple[str, ...]:
    """The warning signs that could apply to this draft and were not asked yet."""
    return tuple(f for f in red_flags_to_ask(draft.get("pain_areas") or ()) if f not in asked)


def safety_done(draft: Mapping[str, Any], asked: frozenset[str]) -> bool:
    """Whether every warning sign that could apply to this draft was asked."""
    return not unasked_flags(draft, asked)


def gate(place: Place, draft: Mapping[str, Any], asked: frozenset[str]) -> Place:
    """`place`, unless it lies past the safety check while a warning sign that could apply was
    not asked: then the safety check's first screen holding one."""
    missing = set(unasked_flags(draft, asked))
    if place.step <= SAFETY_STEP or not missing:
        return place
    screens = flag_screens(draft)
    return Place(SAFETY_STEP, next(i for i, s in enumerate(screens) if missing & set(s.flags)))


def forward(
    place: Place, draft: Mapping[str, Any], asked: frozenset[str]
) -> tuple[Place, frozenset[str]]:
    """Where "Next" leads from `place`, and the warning signs asked once it is pressed."""
    if place.step == WHERE_IT_HURTS_STEP:
        return Place(SAFETY_STEP), asked
    if place.step == SAFETY_STEP:
        screen = screen_at(draft, place)
        if screen is not None:
            asked = asked | frozenset(screen.flags)
        if place.screen + 1 < len(flag_screens(draft)):
            return Place(SAFETY_STEP, place.screen + 1), asked
    return gate(Place(min(place.step + 1, RESULTS_STEP)), draft, asked), asked


def back(place: Place, draft: Mapping[str, Any]) -> Place:
    """Where "Back" leads from `place` (the safety check goes back screen by screen)."""
    if place.step == SAFETY_STEP and place.screen > 0:
        return Place(SAFETY_STEP, place.screen - 1)
    if place.step == SAFETY_STEP + 1:
        return Place(SAFETY_STEP, max(len(flag_screens(draft)) - 1, 0))
    return Place(max(min(place.step, RESULTS_STEP) - 1, 0))


def step_text(step: int) -> str:
    """The step's label in the address (`1`, `2`, ... or `results`)."""
    return RESULTS if step >= RESULTS_STEP else str(step + 1)


def address(draft: Mapping[str, Any], step: int, *, safety_answered: bool) -> dict[str, str]:
    """The query parameters that bring a shopper back to this draft and step."""
    return link_params(raw_answers(draft), safety_answered=safety_answered, step=step_text(step))


def open_address(params: Mapping[str, str], current: Mapping[str, Any]) -> Opening:
    """The draft and step an address opens, starting from the shopper's `current` draft.

    Back and Forward land on addresses this session wrote: when the address agrees with every
    answer in the current draft, the draft is kept whole (later steps' answers included), as
    the page's own Back button does. A bad value is dropped and named, and the finder opens at
    the step that asks it, with the rest of the link kept.
    """
    params, unrecognised = salvage(dict(list(params.items())[: MAX_PARAMS + 1]))
    problems = list(unrecognised)
    for _ in range(MAX_PARAMS + 1):
        try:
            link = read_link(params)
            wanted = _wanted_step(link.step, has_answers=len(link.raw) > 0)
            break
        except AnswersError as error:
            name = param_of(error.field)
            if name not in params:  # the address as a whole (too many parameters)
                params = {}
            problems.append(Unrecognised(name, (params.pop(name, ""),)))
    else:  # pragma: no cover - every pass drops a parameter, so the loop always breaks
        raise AssertionError("unreachable")
    problem = problem_text(problems) if problems else None
    # The step asking the first answer the link got wrong; an unknown question asks nothing.
    bad_step = next((_step_of(p.name) for p in problems if _step_of(p.name) is not None), None)
    linked = draft_from_raw(link.raw)
    draft = dict(current) if _agrees(linked, current) else linked
    if bad_step is not None:
        wanted = bad_step
    answered = link.safety_answered or bool(link.raw.get("red_flags"))
    asked = frozenset(red_flags_to_ask(draft.get("pain_areas") or ())) if answered else frozenset()
    if wanted > SAFETY_STEP and not answered:
        return Opening(draft, SAFETY_STEP, asked, then=wanted, problem=problem)
    return Opening(draft, wanted, asked, problem=problem)


def nothing_to_match(draft: Mapping[str, Any]) -> bool:
    """True when no answer gives the engine anything to match products on."""
    return not any(draft.get(name) not in (None, [], ()) for name in MATCHING_FIELDS) and not (
        draft.get("measurements")
    )


def draft_from_raw(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A draft (the page's widget values) holding a raw answers object's answers."""
    draft = empty_draft()
    for name, value in raw.items():
        if name in QUESTIONS:
            draft[name] = list(value) if isinstance(value, list) else value
    if raw.get("measurements"):
        # Each measurement fills its own input on the last step; the whole set is kept too, so
        # a measurement whose question is not asked for these answers still travels on.
        draft["measurements"] = dict(raw["measurements"])
        for name, value in raw["measurements"].items():
            if name in QUESTIONS:
                draft[name] = value
    return draft


def _agrees(linked: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    empty = empty_draft()
    measured = raw_answers(current).get("measurements", {})
    linked_measured = linked.get("measurements") or {}
    return all(
        current.get(name) == value
        for name, value in linked.items()
        if value != empty.get(name) and name != "measurements" and name not in linked_measured
    ) and all(measured.get(name) == value for name, value in linked_measured.items())


def _wanted_step(text: str | None, *, has_answers: bool) -> int:
    if text is None:  # a shared link: straight to the results, or the start for a bare address
        return RESULTS_STEP if has_answers else WHERE_IT_HURTS_STEP
    if text == RESULTS:
        return RESULTS_STEP
    if text.isdigit() and 1 <= int(text) <= len(STEPS):
        return int(text) - 1
    raise AnswersError(STEP_PARAM, f"must be a step from 1 to {len(STEPS)}, or {RESULTS}")


def _step_of(name: str) -> int | None:
    for index, step in enumerate(STEPS):
        if any(question.field == name for question in step.questions):
            return index
    return None  # not a question: nothing to check, the link goes where it was going


# What each part of an address is about, in the shopper's words, for a link with a mistake.
TOPICS = {
    "age_band": "your age",
    "pain_areas": "where it hurts",
    "knee_side": "which knee",
    "knee_pain_site": "where on the knee",
    "pain_timing": "when your back and knee hurt",
    "symptoms": "what you notice",
    "bunions": "bunions",
    "feet_roll_inward": "feet rolling inward",
    "sitting_hours": "hours spent sitting",
    "activities": "activities",
    "habits": "habits",
    "height_cm": "height",
    "weight_kg": "weight",
    "conditions": "health conditions",
    "red_flags": "warning signs",
    "pain_started": "when the pain began",
    "risk_factors": "your health history",
    "knee_cm": "knee measurement",
    "thigh_cm": "thigh measurement",
    "calf_cm": "calf measurement",
    "waist_cm": "waist measurement",
    "shoe_eu": "shoe size",
    "budget_max": "budget",
    STEP_PARAM: "the step to open",
    "(address)": "it holds too many answers",
}


def problem_text(problems: list[Unrecognised]) -> str:
    """ "We didn't recognise one of the answers in this link (where it hurts: 'foo'). The rest is
    kept." Every part is named in the shopper's words, with what the link said (cut short)."""
    parts = []
    for problem in problems:
        said = ", ".join(repr(value[:40]) for value in problem.values if value)
        topic = TOPICS.get(problem.name)
        if topic is None:
            parts.append(f"{problem.name[:40]!r}, which we do not ask about")
        else:
            parts.append(f"{topic}: {said}" if said else topic)
    count = len(parts)
    which = "one of the answers" if count == 1 else f"{count} of the answers"
    return f"We didn't recognise {which} in this link ({'; '.join(parts)}). The rest is kept."
