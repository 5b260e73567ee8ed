"""`RECOMMENDER_REGION` (SPEC section 2 revision 3): a shop set to the US tells a shopper with a
red flag to call 911, not 999, in the finder, `recommender recommend`, the API and the clinician
summary alike; an unknown region is refused at start, naming the setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from recommender.errors import InputError
from recommender.settings import Settings
from recommender.shop.summary import summary_html
from recommender.shopper.advice import load_advice_book
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import build_engine
from recommender.shopper.region import CARE_WORDS, region_for
from recommender.shopper.safety import load_safety_book
from tests.conftest import CATALOG_DIR

SCIATICA_BOTH_LEGS = {"pain_areas": ["lower_back"], "red_flags": ["sciatica_both_legs"]}
SWOLLEN_CALF = {"pain_areas": ["back_of_leg"], "red_flags": ["calf_swelling"]}
EVERY_REGION = ("GB", "US", "CA", "IE", "FR", "DE", "AU", "NZ")


@pytest.fixture(scope="module")
def us_engine(engine):
    return build_engine(engine.catalog, engine.weights, region=region_for("US"))


def message(engine, raw: dict) -> str:
    return engine.recommend(parse_answers(raw), 5).triage.message


def test_a_shop_with_no_region_set_speaks_as_the_uk_nhs_does(engine):
    assert Settings.from_env({}).region.code == "GB"
    words = message(engine, SCIATICA_BOTH_LEGS)
    assert "call 999" in words and "A&E" in words


def test_a_us_shop_tells_a_shopper_with_a_red_flag_to_call_911(us_engine):
    words = message(us_engine, SCIATICA_BOTH_LEGS)
    assert "call 911" in words and "the emergency room" in words
    assert "999" not in words and "A&E" not in words


def test_a_us_shop_says_911_for_a_swollen_calf_with_chest_pain_and_doctor_not_gp(us_engine):
    words = message(us_engine, SWOLLEN_CALF)
    assert "call 911 at once" in words and "urgent care center" in words
    assert "GP" not in words and "NHS" not in words


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("GB", "999"),
        ("US", "911"),
        ("CA", "911"),
        ("IE", "112"),
        ("FR", "112"),
        ("AU", "000"),
        ("NZ", "111"),
        ("de", "112"),
    ],
)
def test_each_region_calls_its_own_emergency_number(engine, code, number):
    local = build_engine(engine.catalog, engine.weights, region=region_for(code))
    assert f"call {number}" in message(local, SCIATICA_BOTH_LEGS)


@pytest.mark.parametrize("code", EVERY_REGION)
def test_every_safety_and_advice_text_is_filled_in_for_every_region(code):
    region = region_for(code)
    safety, advice = load_safety_book(region=region), load_advice_book(region=region)
    texts = [rule.why for rule in safety.triage_rules] + [c.why for c in safety.cautions]
    texts += [*safety.next_steps.values(), *(note.text for note in safety.care_notes)]
    texts += [entry.text.replace("{evidence}", "") for entry in advice.entries]
    assert not [text for text in texts if "{" in text or "}" in text]
    for word in CARE_WORDS:
        assert getattr(region, word)


def test_a_see_clinician_message_in_the_us_names_a_doctor_and_a_physical_therapist(us_engine):
    words = message(us_engine, {"pain_areas": ["knee"], "symptoms": ["knee_gives_way"]})
    assert "your doctor or a physical therapist" in words


def test_the_clinician_summary_uses_the_same_words_as_the_finder(us_engine):
    answers = parse_answers(SCIATICA_BOTH_LEGS)
    summary = summary_html(answers, us_engine.recommend(answers, 5), on=date(2026, 1, 2))
    assert "call 911" in summary and "999" not in summary


@pytest.mark.parametrize("raw", ["XX", "UK", "Mars", "9" * 200])
def test_an_unknown_region_is_refused_naming_the_setting(raw):
    with pytest.raises(InputError, match="RECOMMENDER_REGION") as refused:
        Settings.from_env({"RECOMMENDER_REGION": raw})
    assert "GB" in str(refused.value) and len(str(refused.value)) < 400


def _recommend_command(tmp_path, region: str) -> subprocess.CompletedProcess:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(SCIATICA_BOTH_LEGS))
    env = {
        **os.environ,
        "RECOMMENDER_CATALOG": str(CATALOG_DIR),
        "RECOMMENDER_MODELS": str(tmp_path / "models"),
        "RECOMMENDER_DB": f"sqlite:///{tmp_path / 'store.db'}",
        "RECOMMENDER_REGION": region,
    }
    return subprocess.run(
        [sys.executable, "-m", "recommender_cli.main", "recommend", "--answers", str(answers)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_recommend_in_a_us_shop_prints_911(tmp_path):
    done = _recommend_command(tmp_path, "US")
    assert done.returncode == 0, done.stderr
    assert "call 911" in json.loads(done.stdout)["triage"]["message"]


def test_recommend_in_an_unknown_region_exits_2_naming_the_setting(tmp_path):
    done = _recommend_command(tmp_path, "ZZ")
    assert done.returncode == 2
    assert "RECOMMENDER_REGION" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
