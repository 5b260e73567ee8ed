"""What every rule and advice entry rests on: the article's own sentence, quoted exactly.

The quotes live here, in the tests, on purpose: tests/shopper/test_wording.py scans the package, the
catalog, the README and the docs/ site for 8-word runs of the article, and leaves tests/ out. Each quote must
appear word for word in the article, inside the section its entry cites, so a reason can never
cite a heading whose section does not make the claim.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from recommender.shopper.advice import load_advice_book
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K
from recommender.shopper.rules import load_rule_book
from recommender.shopper.sections import SECTIONS
from tests.shopper.test_wording import article_text, needs_article
from tests.strategies import raw_answers

RESTS_ON = {
    # rules.toml
    "back_and_knee_pain": "you might experience discomfort in both areas at the same time",
    "pain_timing_back_link": "You may also have back and knee pain intermittently",
    "tight_hamstrings_stretch": "Certain stretches can relieve tension in the hamstrings",
    "tight_quads_hips": "Muscle tightness in the hamstrings, quadriceps, or hips.",
    "weak_or_stiff_hips": "Achy feelings or stiffness in the hips.",
    "upper_thigh_back_origin": "Pain in the upper thigh.",
    "foot_pain_back_origin": "Foot pain.",
    "sciatic_leg_symptoms": "A burning sensation in the back of the legs",
    "sciatic_nerve_path": "the sciatic nerve travels down the back of each leg and to your knee",
    "muscle_spasms_heat_cold": "hot/cold therapy can reduce swelling and reduce the frequency "
    "and intensity of flare-ups",
    "knee_gives_way_stability": "weak or wobbly knees that feel as though they are giving out",
    "one_knee_sciatic_pattern": "Sciatic problems normally cause issues with only one knee",
    "both_knees_support": "you may occasionally experience pain in both knees as well",
    "body_mass_spine_pressure": "Obesity increases your risk of sciatic problems.",
    "long_sitting_lumbar": "Prolonged sitting can leave you more vulnerable to sciatic flare-ups.",
    "unsupportive_chair_cushion": "Choose a comfortable chair that properly supports your back "
    "while sitting.",
    "swelling_heat_cold": "hot/cold therapy can reduce swelling",
    "bunion_overpronation_orthotic": "the S1 nerve powers muscles along the outside of your foot",
    "overpronation_knee_instability": "Over-pronation may also result in misalignment or "
    "instability that would then cause weakness in the knees.",
    "bunion_relief": "unless you tackle the reason you have them in the first place",
    "bunions_knee_shoes": "wear a good, comfortable pair of shoes, preferably orthotics",
    "inside_knee_unloading": "those who place their toes slightly outward can reduce the amount "
    "of pain felt on the inside of the knee joint",
    "worn_shoes_orthotic": "Wear shoes with the proper support.",
    "high_heels_support": "choose a lower, square-shaped heel",
    "psoas_tightness_yoga": "Tightness in any of these muscles can result in a stiff pelvis, "
    "hips, or lower back.",
    "psoas_tightness_gentle": "The resulting tension can place unnecessary strain on your knees",
    "yoga_psoas_poses": "Paripurna Navasana (boat pose or full boat pose)",
    "yoga_psoas_poses_pregnancy": "Try adding Warrior Pose, Utthita Parsvakonasna (extended "
    "side angle pose)",
    "exercise_knee_protection": "avoid placing any undue stress on the knees",
    "stretch_before_exercise": "regularly stretching before a workout",
    "fit_running": "Any time you are exercising",
    "fit_walking_hiking": "Any time you are exercising",
    "fit_sport": "Any time you are exercising",
    "slouching_posture": "Stand up straight when walking, keeping your shoulders back",
    "heavy_bag_posture": "Avoid carrying heavy bags that might cause your shoulders to become "
    "misaligned.",
    "lower_back_psoas_stretch": "can result in a stiff pelvis, hips, or lower back",
    "choose_knee_support": "Choosing the right brace for knee or back pain is equally important",
    "choose_back_support": "can often times prevent your problem from getting worse",
    # advice.toml
    "stay_active_back": "make it a habit to get up and move more often",
    "protect_fresh_injury": "stabilizing the knee and preventing further injury",
    "exercise_first_knee": "make it a habit to get up and move more often",
    "exercise_first_hip": "make it a habit to get up and move more often",
    "weight_eases_knees": "By losing weight, you can avoid the type of undue pressure on your "
    "spinal column",
    "osteoporosis_no_loaded_bending": "Certain yoga poses are known to activate the psoas as well.",
    "braces_support_not_cure": "Choosing the right brace for knee or back pain",
    "check_the_back": "you should always consider the health of your back any time you suffer "
    "from knee pain",
    "move_during_sitting": "get up and move more often so that you will not become stiff",
    "hamstring_stretches": "Certain stretches can relieve tension in the hamstrings",
    "healthy_weight": "By losing weight, you can avoid the type of undue pressure on your "
    "spinal column",
    "heat_or_cold": "hot/cold therapy can reduce swelling",
    "heat_needs_care": "hot/cold therapy",
    "toes_slightly_out": "place their toes slightly outward",
    "comfortable_shoes": "preferably orthotics",
    "posture_exercises": "Consider exercises to improve your posture and alleviate pressure in "
    "your lower back.",
    "yoga_for_psoas": "Certain yoga poses are known to activate the psoas as well.",
    "yoga_for_psoas_in_pregnancy": "Certain yoga poses are known to activate the psoas as well.",
    "stretch_before_workouts": "can provide greater flexibility for the psoas muscles",
    "stand_tall": "keeping your shoulders back and your head and eyes forward",
    "lighter_bag": "Avoid carrying heavy bags",
    "lower_heels": "Avoid wearing high-heeled shoes on a regular basis.",
    "lift_with_legs": "Always lift with the legs by squatting rather than stooping or bending "
    "over.",
    "engage_core": "Keep your core engaged while standing or walking.",
    "supportive_chair": "Choose a comfortable chair that properly supports your back while "
    "sitting.",
}


def normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def section_of(quote: str) -> str:
    """The heading of the article section the quote sits in."""
    text = normalise(article_text)
    at = text.find(normalise(quote))
    assert at >= 0, f"not in the article: {quote!r}"
    before = [(text.rfind(heading, 0, at), heading) for heading in SECTIONS]
    return max(before)[1]


ENTRIES = [(r.id, r.section) for r in load_rule_book().rules] + [
    (a.id, a.section) for a in load_advice_book().entries
]


def test_every_rule_and_advice_entry_records_the_sentence_it_rests_on():
    assert {entry_id for entry_id, _ in ENTRIES} == set(RESTS_ON)


@needs_article
@pytest.mark.parametrize(("entry_id", "section"), ENTRIES)
def test_each_entry_rests_on_a_sentence_of_the_section_it_cites(entry_id, section):
    assert section_of(RESTS_ON[entry_id]) == section


@needs_article
def test_the_check_would_catch_a_quote_from_another_section():
    assert section_of("Foot pain.") != "The Effects of Posture"


@needs_article
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_answers())
def test_every_shown_reason_cites_the_section_its_claim_comes_from(engine, raw):
    """Issue 22: the "more reasons" of every card, not only the table, cite the right section
    (a cushion's reason once cited the section on sciatic pain)."""
    for item in engine.recommend(parse_answers(raw), MAX_K).items:
        first, *more = item.reasons
        assert first.section in SECTIONS
        for reason in more:
            assert reason.section == section_of(RESTS_ON[reason.rule]), (item.sku, reason.rule)
