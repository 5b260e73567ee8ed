"""From validated answers to named features, and the plain words that describe each one.

A feature is a string such as `pain:knee` or `habit:slouching`. Rules, the safety screen and
advice are all written against these names. `not_sure` answers produce no feature at all: they
give no evidence either way, so no rule may fire on them.
"""

from __future__ import annotations

from collections.abc import Iterable

from recommender.shopper.answers import CHOICES, LIST_CHOICES, Answers

LONG_SITTING_HOURS = 6.0

# Single-choice answers that become a feature, as (answer field, feature prefix).
_CHOICE_PREFIXES = {
    "age_band": "age",
    "knee_side": "knee_side",
    "knee_pain_site": "knee_site",
    "pain_timing": "timing",
    "feet_roll_inward": "feet_roll_inward",
    "pain_started": "started",
}
_LIST_PREFIXES = {
    "pain_areas": "pain",
    "symptoms": "symptom",
    "activities": "activity",
    "habits": "habit",
    "conditions": "condition",
    "red_flags": "red_flag",
    "risk_factors": "risk",
}
_NO_EVIDENCE = "not_sure"
# Age bands from 50 and from 55 (NHS CKS new back pain from 50; the Ottawa knee rule from 55).
# Revision 1's `50_64` cannot tell 52 from 58, so it counts from 55: the safe reading.
_FROM_50 = ("50_54", "55_64", "50_64", "65_plus")
_FROM_55 = ("55_64", "50_64", "65_plus")
# Pain in an area together with a recent fall: the trauma that fracture rules turn on.
_AFTER_FALL = {"injury:knee_after_fall": ("knee",), "injury:hip_after_fall": ("hip", "upper_thigh")}
# Every answer that tells of numbness or tingling (NICE NG89: any cause of sensory impairment).
_NUMBNESS = {
    "symptoms": ("numbness_one_leg", "numb_feet"),
    "red_flags": (
        "saddle_numbness",
        "both_legs_weak_or_numb",
        "numbness_getting_worse",
        "sciatica_both_legs",
    ),
}
_DERIVED = (
    "numbness:any",
    "bunions:yes",
    "bunions:none",
    "sitting:long",
    "body_mass:raised",
    "active:yes",
    "age:from_50",
    "age:from_55",
    *_AFTER_FALL,
    "knee:long_standing_from_50",
    "osteoarthritis:knee",
    "osteoarthritis:hip",
)
# Where a clinician-named osteoarthritis hurts (SPEC: "the knee or hip"): the hip side when the
# shopper ticked hip or upper-thigh pain (hip pain is often felt in the thigh), the knee side when
# they ticked knee pain, or named neither joint (the safe reading: the knee, as SPEC revision 3).
_HIP_SIDE = frozenset({"hip", "upper_thigh"})


def answer_features(answers: Answers) -> frozenset[str]:
    """Every feature the answers give evidence for."""
    found: set[str] = set()
    for field, prefix in _CHOICE_PREFIXES.items():
        value = getattr(answers, field)
        if value is not None and value != _NO_EVIDENCE:
            found.add(f"{prefix}:{value}")
    for field, prefix in _LIST_PREFIXES.items():
        found.update(f"{prefix}:{value}" for value in getattr(answers, field))
    found.update(_derived(answers))
    return frozenset(found)


def _derived(answers: Answers) -> Iterable[str]:
    if answers.bunions in ("left", "right", "both"):
        yield "bunions:yes"
    elif answers.bunions == "none":
        yield "bunions:none"
    if answers.sitting_hours is not None and answers.sitting_hours >= LONG_SITTING_HOURS:
        yield "sitting:long"
    if answers.body_mass_band is not None:
        yield f"body_mass:{answers.body_mass_band}"
        if answers.body_mass_band in ("above_typical", "high"):
            yield "body_mass:raised"
    if answers.activities:
        yield "active:yes"
    if answers.age_band in _FROM_50:
        yield "age:from_50"
    if answers.age_band in _FROM_55:
        yield "age:from_55"
    if any(set(getattr(answers, field)) & set(values) for field, values in _NUMBNESS.items()):
        yield "numbness:any"
    if "recent_fall" in answers.risk_factors:
        for feature, areas in _AFTER_FALL.items():
            if answers.pain_areas.intersection(areas):
                yield feature
    if long_standing_knee_pain_from_50(answers):  # the picture NICE NG226 describes
        yield "knee:long_standing_from_50"
    yield from (f"osteoarthritis:{joint}" for joint in osteoarthritis_joints(answers))


def osteoarthritis_joints(answers: Answers) -> frozenset[str]:
    """The joints ("knee", "hip") a clinician-named osteoarthritis is taken to be in: those the
    shopper has pain in, so NICE NG226's devices guidance follows the painful joint."""
    if "osteoarthritis" not in answers.conditions:
        return frozenset()
    joints = {"hip"} if answers.pain_areas & _HIP_SIDE else set()
    if "knee" in answers.pain_areas or not joints:
        joints.add("knee")
    return frozenset(joints)


def long_standing_knee_pain_from_50(answers: Answers) -> bool:
    """Knee pain that began more than 12 weeks ago, at 50 or older (NICE NG226's picture)."""
    return (
        "knee" in answers.pain_areas
        and answers.pain_started == "over_12_weeks"
        and answers.age_band in _FROM_50
    )


def all_feature_names() -> frozenset[str]:
    """Every feature name `answer_features` can produce (rules are checked against it)."""
    names = {f"{p}:{v}" for f, p in _CHOICE_PREFIXES.items() for v in CHOICES[f]}
    names |= {f"{p}:{v}" for f, p in _LIST_PREFIXES.items() for v in LIST_CHOICES[f]}
    names -= {f"{p}:{_NO_EVIDENCE}" for p in _CHOICE_PREFIXES.values()}
    names |= set(_DERIVED)
    names |= {f"body_mass:{band}" for band in ("below_typical", "typical", "above_typical", "high")}
    return frozenset(names)


_LABELS = {
    "pain:knee": "knee pain",
    "pain:lower_back": "low-back pain",
    "pain:hip": "hip pain",
    "pain:foot": "foot pain",
    "pain:upper_thigh": "pain in the upper thigh",
    "pain:back_of_leg": "pain down the back of the leg",
    "knee_side:left": "pain in the left knee only",
    "knee_side:right": "pain in the right knee only",
    "knee_side:both": "pain in both knees",
    "knee_site:inside": "pain on the inner side of the knee",
    "knee_site:outside": "pain on the outer side of the knee",
    "knee_site:front": "pain at the front of the knee",
    "knee_site:back": "pain behind the knee",
    "knee_site:all_over": "pain all around the knee",
    "timing:together": "back and knee pain that arrive together",
    "timing:alternating": "back and knee pain that take turns",
    "timing:one_area": "pain in one area at a time",
    "symptom:tight_hamstrings": "tight hamstrings",
    "symptom:tight_quads": "tight thigh muscles at the front",
    "symptom:tight_hips": "tight hips",
    "symptom:weak_hips": "hips that feel weak",
    "symptom:stiff_hips": "stiff or achy hips",
    "symptom:shooting_leg_pain": "pain that shoots down the leg",
    "symptom:burning_back_of_legs": "burning at the back of the legs",
    "symptom:muscle_spasms": "muscle spasms",
    "symptom:numbness_one_leg": "numbness in one leg",
    "symptom:knee_gives_way": "a knee that gives way",
    "symptom:swelling_after_activity": "swelling after activity",
    "symptom:numb_feet": "numbness, tingling or burning in both feet",
    "bunions:yes": "bunions",
    "feet_roll_inward:yes": "feet that roll inward",
    "sitting:long": "{sitting_hours:g} hours of sitting a day",
    "body_mass:raised": "your height and weight",
    "body_mass:high": "your height and weight",
    "active:yes": "staying active ({activities})",
    "knee:long_standing_from_50": "knee pain that began more than 12 weeks ago, from the age of 50",
    "habit:slouching": "slouching",
    "habit:heavy_bag": "carrying a heavy bag",
    "habit:high_heels": "wearing high heels",
    "habit:bends_to_lift": "bending over to lift things",
    "habit:unsupportive_chair": "a chair that does not support your back",
    "habit:worn_or_flat_shoes": "worn or flat shoes",
    "condition:diabetes": "diabetes",
    "condition:poor_circulation": "poor circulation",
    "condition:implanted_device": "an implanted medical device",
    "condition:skin_condition": "a skin condition",
    "condition:pregnancy": "a pregnancy",
    "condition:osteoarthritis": "osteoarthritis a clinician has told you about",
    "osteoarthritis:knee": "osteoarthritis a clinician has told you about",
    "osteoarthritis:hip": "osteoarthritis a clinician has told you about",
    "started:under_6_weeks": "pain that began less than 6 weeks ago",
    "started:6_to_12_weeks": "pain that began 6 to 12 weeks ago",
    "started:over_12_weeks": "pain that began more than 12 weeks ago",
    "age:under_16": "being under 16",
    "age:16_49": "being 16 to 49",
    "age:50_54": "being 50 to 54",
    "age:55_64": "being 55 to 64",
    "age:50_64": "being 50 to 64",
    "age:from_50": "being 50 or over",
    "age:from_55": "being 55 or over",
    "numbness:any": "numbness or tingling",
    "injury:knee_after_fall": "knee pain after a recent fall",
    "injury:hip_after_fall": "hip or upper-thigh pain after a recent fall",
    "age:65_plus": "being 65 or over",
    "risk:osteoporosis": "osteoporosis",
    "risk:long_term_steroids": "taking steroid tablets for a long time",
    "risk:weakened_immunity": "a weakened immune system",
    "risk:injects_drugs": "injecting drugs",
    "risk:recent_fall": "a recent fall",
    "risk:recent_knee_injury": "a recent knee injury",
}
_ACTIVITY_WORDS = {
    "running": "running",
    "walking": "walking",
    "hiking": "hiking",
    "gym_lifting": "lifting at the gym",
    "yoga": "yoga",
    "team_sports": "team sports",
    "cycling": "cycling",
}


def feature_label(feature: str, answers: Answers) -> str:
    """The shopper's own answer behind `feature`, in plain words."""
    if feature.startswith("activity:"):
        return _ACTIVITY_WORDS[feature.split(":", 1)[1]]
    label = _LABELS.get(feature, feature.split(":", 1)[-1].replace("_", " "))
    if "{" not in label:  # most labels are fixed words; formatting them costs every reason
        return label
    activities = ", ".join(_ACTIVITY_WORDS[a] for a in sorted(answers.activities))
    return label.format(sitting_hours=answers.sitting_hours or 0, activities=activities)


def join_words(phrases: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(dict.fromkeys(phrases))
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
