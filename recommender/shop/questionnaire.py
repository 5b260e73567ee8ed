"""The shopper's questionnaire (SPEC section 1) as a few short steps, in plain words.

The app lays these steps out as widgets and keeps what the shopper picked in a *draft*: a dict
from answer field to the widget's value (None or an empty list when unanswered). `raw_answers`
turns a draft into the raw answers object that `parse_answers` validates. The safety questions
(SPEC section 2) come straight after where it hurts, a few at a time and only those that can
apply (`finder_flow`), so a shopper who needs care is told so before anything else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from recommender.shopper.answers import (
    CHOICES,
    LIST_CHOICES,
    MEASUREMENT_RANGES,
    NUMBER_RANGES,
    RETIRED_CHOICES,
    SCHEMA_VERSION,
)

SINGLE = "single"  # one of a few choices
MULTI = "multi"  # any number of short choices
CHECKS = "checks"  # any number of long statements, one tick box each
NUMBER = "number"
MEASURE = "measure"  # a body measurement (SPEC section 1 `measurements`), for the right size

Draft = Mapping[str, Any]

# Plain words for every value the shopper can pick; SPEC section 2 wording for the red flags.
LABELS: dict[str, dict[str, str]] = {
    "age_band": {
        "under_16": "Under 16",
        "16_49": "16 to 49",
        "50_54": "50 to 54",
        "55_64": "55 to 64",
        "50_64": "50 to 64",  # revision 1's band: described on old links, no longer offered
        "65_plus": "65 or over",
    },
    "pain_areas": {
        "knee": "Knee",
        "lower_back": "Lower back",
        "hip": "Hip",
        "foot": "Foot",
        "upper_thigh": "Upper thigh",
        "back_of_leg": "Back of the leg",
    },
    "knee_side": {"left": "Left", "right": "Right", "both": "Both"},
    "knee_pain_site": {
        "inside": "Inner side",
        "outside": "Outer side",
        "front": "Front",
        "back": "Behind the knee",
        "all_over": "All over",
        "not_sure": "Not sure",
    },
    "pain_timing": {
        "together": "At the same time",
        "alternating": "Taking turns",
        "one_area": "Only one area hurts",
        "not_sure": "Not sure",
    },
    "symptoms": {
        "tight_hamstrings": "Tight muscles at the back of the thigh",
        "tight_quads": "Tight muscles at the front of the thigh",
        "tight_hips": "Tight hips",
        "weak_hips": "Weak hips",
        "stiff_hips": "Achy or stiff hips",
        "shooting_leg_pain": "Shooting pain down a leg",
        "burning_back_of_legs": "Burning at the back of the legs",
        "muscle_spasms": "Muscle spasms",
        "numbness_one_leg": "Numbness in one leg",
        "knee_gives_way": "A knee that gives way",
        "swelling_after_activity": "Swelling after activity",
        "numb_feet": "Numbness, tingling or burning in both feet for a while",
    },
    "bunions": {
        "none": "No",
        "left": "Left foot",
        "right": "Right foot",
        "both": "Both feet",
        "not_sure": "Not sure",
    },
    "feet_roll_inward": {"yes": "Yes", "no": "No", "not_sure": "Not sure"},
    "activities": {
        "running": "Running",
        "walking": "Walking",
        "hiking": "Hiking",
        "gym_lifting": "Gym or lifting",
        "yoga": "Yoga",
        "team_sports": "Team sports",
        "cycling": "Cycling",
    },
    "habits": {
        "slouching": "Slouching",
        "heavy_bag": "Carrying a heavy bag",
        "high_heels": "Wearing high heels",
        "bends_to_lift": "Bending over to lift",
        "unsupportive_chair": "A chair without back support",
        "worn_or_flat_shoes": "Worn-out or flat shoes",
    },
    "conditions": {
        "diabetes": "Diabetes",
        "poor_circulation": "Poor circulation",
        "implanted_device": "A pacemaker or other implanted device",
        "skin_condition": "A skin condition where a support would sit",
        "pregnancy": "Pregnancy",
        "osteoarthritis": "Osteoarthritis in the knee or hip, as a clinician has told you",
    },
    "red_flags": {
        "bladder_bowel_change": "New trouble controlling or feeling your bladder or bowel",
        "saddle_numbness": "Numbness around the genitals, buttocks or inner thighs",
        "both_legs_weak_or_numb": "Weakness or numbness in both legs, severe or getting worse",
        "cold_pale_foot": "A foot or leg suddenly cold, pale or blue",
        "major_trauma": "The pain began after a serious fall or accident",
        "hot_swollen_joint": "A hot, red, swollen joint with fever or feeling unwell",
        "worsening_leg_weakness": (
            "Weakness in one leg that is getting worse (foot slapping, knee buckling)"
        ),
        "cannot_bear_weight": "You cannot put weight on the leg or take four steps",
        "knee_locked": "The knee is locked and will not straighten",
        "calf_swelling": "One calf is painful, swollen, warm or red",
        "fever_or_unwell": "Fever or feeling generally unwell with the pain",
        "weight_loss_or_cancer": "Weight loss you cannot explain, or a history of cancer",
        "foot_wound_with_diabetes": (
            "With diabetes: a foot wound, blister, new redness, heat or swelling"
        ),
        "sciatica_both_legs": "Pain, tingling or numbness running down both legs",
        "numbness_getting_worse": (
            "Numbness or tingling in a leg that is spreading or getting worse"
        ),
        "back_swelling_or_deformity": "A new swelling or change of shape in your back",
        "night_pain": "Pain that is worse at night and not eased by rest",
    },
    "pain_started": {
        "under_6_weeks": "Less than 6 weeks ago",
        "6_to_12_weeks": "6 to 12 weeks ago",
        "over_12_weeks": "More than 12 weeks ago",
        "not_sure": "Not sure",
    },
    "risk_factors": {
        "osteoporosis": "Osteoporosis (thinning of the bones)",
        "long_term_steroids": "Taking steroid tablets for 3 months or more",
        "weakened_immunity": "A weakened immune system, from an illness or its treatment",
        "injects_drugs": "Injecting drugs",
        "recent_fall": "A fall in the last few weeks",
        "recent_knee_injury": "A knee injury in the last few days, such as a twist or a knock",
    },
}


@dataclass(frozen=True, slots=True)
class Question:
    """One answer field as the shopper sees it."""

    field: str
    label: str
    kind: str
    help: str = ""
    unit: str = ""
    # Asked only when it applies (e.g. which knee, only for knee pain).
    applies: Callable[[Draft], bool] | None = None

    @property
    def options(self) -> tuple[str, ...]:
        """The values offered; a retired one (age `50_64`) stays valid but is not offered."""
        every = CHOICES.get(self.field) or LIST_CHOICES.get(self.field) or ()
        retired = RETIRED_CHOICES.get(self.field, ())
        return tuple(value for value in every if value not in retired)

    def options_for(self, value: Any) -> tuple[str, ...]:
        """The values a widget lists: those offered, plus a retired one the shopper's old link
        or stored session already holds, so reopening it keeps the answer."""
        retired = RETIRED_CHOICES.get(self.field, ())
        return (*self.options, value) if value in retired else self.options

    @property
    def bounds(self) -> tuple[float, float | None]:
        """The smallest and largest number accepted (None: no upper limit)."""
        if self.kind == MEASURE:
            return MEASUREMENT_RANGES[self.field]
        low, high, low_inclusive = NUMBER_RANGES[self.field]
        # An open lower bound (a budget above 0) becomes the smallest amount worth typing.
        return (low if low_inclusive else low + 1.0), (high if math.isfinite(high) else None)

    def label_of(self, value: str) -> str:
        """The words shown for choice `value`."""
        return LABELS[self.field][value]

    def is_asked(self, draft: Draft) -> bool:
        """Whether the question applies to the answers drafted so far."""
        return self.applies is None or self.applies(draft)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the questionnaire: its title and questions."""

    title: str
    intro: str
    questions: tuple[Question, ...]


def _has_area(area: str) -> Callable[[Draft], bool]:
    return lambda draft: area in (draft.get("pain_areas") or ())


def _knee_and_back(draft: Draft) -> bool:
    return _has_area("knee")(draft) and _has_area("lower_back")(draft)


def _any_area(*areas: str) -> Callable[[Draft], bool]:
    return lambda draft: bool(set(areas) & set(draft.get("pain_areas") or ()))


def _feet(draft: Draft) -> bool:
    # Insoles serve knee pain too, and bunion products are sized by shoe.
    bunions = draft.get("bunions") in ("left", "right", "both")
    return bunions or _any_area("foot", "knee")(draft)


# The optional measurements, each asked only when products for the shopper's pain come in sizes
# by it, with a short "how to measure" in plain words (a soft tape, measured on bare skin).
MEASUREMENTS: tuple[Question, ...] = (
    Question(
        "knee_cm",
        "Around your knee (cm)",
        MEASURE,
        help="Stand with the leg straight; measure around the middle of the kneecap.",
        unit="cm",
        applies=_any_area("knee"),
    ),
    Question(
        "thigh_cm",
        "Around your thigh (cm)",
        MEASURE,
        help="Measure around the thigh a hand's width (about 15 cm) above the kneecap.",
        unit="cm",
        applies=_any_area("knee", "upper_thigh", "back_of_leg"),
    ),
    Question(
        "calf_cm",
        "Around your calf (cm)",
        MEASURE,
        help="Sitting with the foot flat, measure around the widest part of the calf.",
        unit="cm",
        applies=_any_area("back_of_leg", "foot"),
    ),
    Question(
        "waist_cm",
        "Around your waist (cm)",
        MEASURE,
        help="Measure around your middle at the level of the belly button, breathing out gently.",
        unit="cm",
        applies=_any_area("lower_back", "hip", "upper_thigh"),
    ),
    Question(
        "shoe_eu",
        "Your shoe size (EU)",
        MEASURE,
        help="The EU size of the shoes you wear most; UK 8 is about EU 42.",
        applies=_feet,
    ),
)


STEPS: tuple[Step, ...] = (
    Step(
        "Where it hurts",
        "Pick every area that bothers you. We ask about warning signs next.",
        (
            Question("pain_areas", "Where do you feel pain?", MULTI),
            Question("knee_side", "Which knee?", SINGLE, applies=_has_area("knee")),
            Question("knee_pain_site", "Where on the knee?", SINGLE, applies=_has_area("knee")),
            Question(
                "pain_timing",
                "Do your back and knee hurt at the same time?",
                SINGLE,
                applies=_knee_and_back,
            ),
            Question("age_band", "How old are you?", SINGLE),
        ),
    ),
    Step(
        "Safety check",
        "Before we suggest anything: tick any that are true for you right now. "
        "If none are, press Next.",
        # Asked a few at a time: the warning signs that can apply to the areas picked on the
        # step before (all of them when none was picked), in screens (finder_flow.py).
        (Question("red_flags", "Is any of this happening to you?", CHECKS),),
    ),
    Step(
        "What you notice",
        "Anything you have felt lately, in your own judgement.",
        (
            Question("symptoms", "Do you notice any of these?", MULTI),
            Question("bunions", "Do you have bunions?", SINGLE),
            Question("feet_roll_inward", "Do your feet roll inward when you stand?", SINGLE),
        ),
    ),
    Step(
        "Your day",
        "How you sit, move and carry things.",
        (
            Question("sitting_hours", "Hours a day spent sitting", NUMBER, unit="hours"),
            Question("activities", "Which activities do you do?", MULTI),
            Question("habits", "Do any of these sound like you?", MULTI),
        ),
    ),
    Step(
        "Health and budget",
        "All optional. Height and weight are used only to work out a weight band; "
        "we never keep the numbers.",
        (
            Question("conditions", "Do any of these apply to you?", MULTI),
            Question(
                "pain_started",
                "When did this pain begin?",
                SINGLE,
                applies=lambda draft: bool(draft.get("pain_areas")),
            ),
            Question(
                "risk_factors",
                "Is any of this true for you?",
                MULTI,
                help="These help us tell when a check-up should come before a product.",
            ),
            Question("height_cm", "Height (optional)", NUMBER, unit="cm"),
            Question("weight_kg", "Weight (optional)", NUMBER, unit="kg"),
            Question(
                "budget_max",
                "Most you would like to spend (optional)",
                NUMBER,
                help="Leave empty for no limit.",
            ),
            *MEASUREMENTS,
        ),
    ),
)

WHERE_IT_HURTS_STEP = 0
SAFETY_STEP = 1
QUESTIONS: dict[str, Question] = {q.field: q for step in STEPS for q in step.questions}


def empty_draft() -> dict[str, Any]:
    """A draft with nothing answered."""
    return {name: [] if q.kind in (MULTI, CHECKS) else None for name, q in QUESTIONS.items()}


def raw_answers(draft: Draft, *, up_to_step: int | None = None) -> dict[str, Any]:
    """The raw answers object (SPEC section 1) for what the shopper picked.

    Unanswered fields and questions that do not apply are left out. `up_to_step` keeps only the
    steps up to and including that index (used to screen the safety answers on their own).
    """
    last = len(STEPS) - 1 if up_to_step is None else up_to_step
    raw: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for step in STEPS[: last + 1]:
        for question in step.questions:
            value = draft.get(question.field)
            if value is None or value == [] or not question.is_asked(draft):
                continue
            if question.kind == MEASURE:  # nested, as SPEC section 1 `measurements` has it
                raw.setdefault("measurements", {})[question.field] = float(value)
            else:
                raw[question.field] = _raw_value(question, value)
    if draft.get("measurements") and up_to_step is None:  # from a shared link (SPEC section 9)
        # A link's measurement fills its input; the input (even emptied) wins while its question
        # is asked, and the link's value travels on only for a question these answers skip.
        asked = {q.field for q in MEASUREMENTS if q.is_asked(draft)}
        carried = {k: v for k, v in dict(draft["measurements"]).items() if k not in asked}
        if carried or raw.get("measurements"):
            raw["measurements"] = {**carried, **raw.get("measurements", {})}
    return raw


def _raw_value(question: Question, value: Any) -> Any:
    if question.kind in (MULTI, CHECKS):
        return [option for option in question.options if option in value]  # stable order
    if question.kind == NUMBER:
        return float(value)
    return value


def describe(field: str, value: Any) -> str:
    """An answer in plain words, for summaries (lists joined, numbers with their unit)."""
    question = QUESTIONS.get(field)
    if question is not None and question.field == "shoe_eu":
        return f"EU {value:g}"
    if question is None or question.kind in (NUMBER, MEASURE):
        unit = f" {question.unit}" if question and question.unit else ""
        return f"{value:g}{unit}" if isinstance(value, int | float) else str(value)
    if isinstance(value, list | tuple | frozenset | set):
        ordered = [o for o in question.options if o in value]
        return "; ".join(question.label_of(v) for v in ordered)
    return question.label_of(value)
