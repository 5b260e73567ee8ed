"""The safety screen follows SPEC section 2 flag by flag."""

from __future__ import annotations

import pytest

from recommender.catalog.products import load_catalog
from recommender.shopper.answers import LIST_CHOICES, parse_answers
from recommender.shopper.features import answer_features
from recommender.shopper.safety import load_safety_book
from tests.conftest import CATALOG_DIR
from tests.spec_safety import SPEC_FLAG_LEVELS


def test_every_red_flag_of_the_schema_has_a_level():
    assert set(SPEC_FLAG_LEVELS) == set(LIST_CHOICES["red_flags"])


@pytest.mark.parametrize(("flag", "level"), sorted(SPEC_FLAG_LEVELS.items()))
def test_each_red_flag_sets_its_level_and_explains_it_calmly(flag, level):
    screen = load_safety_book().screen(answer_features(parse_answers({"red_flags": [flag]})))
    assert screen.triage.level == level
    assert screen.triage.flags == (flag,)
    assert screen.shows_products == (level == "see_clinician")
    assert "You told us about" in screen.triage.message and "!" not in screen.triage.message


def test_the_most_serious_flag_sets_the_level_and_every_flag_is_reported():
    raw = {"red_flags": ["night_pain", "knee_locked", "saddle_numbness"]}
    screen = load_safety_book().screen(answer_features(parse_answers(raw)))
    assert screen.triage.level == "emergency"
    assert set(screen.triage.flags) == set(raw["red_flags"])


@pytest.mark.parametrize(
    ("raw", "level", "shows_products"),
    [
        ({"red_flags": ["night_pain"]}, "see_clinician", True),
        ({"age_band": "under_16"}, "see_clinician", False),
        ({"age_band": "under_16", "red_flags": ["night_pain"]}, "see_clinician", False),
        ({"symptoms": ["knee_gives_way"]}, "see_clinician", True),
        ({"symptoms": ["numbness_one_leg"], "conditions": ["diabetes"]}, "see_clinician", True),
        ({"symptoms": ["numbness_one_leg"]}, "none", True),
        ({"conditions": ["diabetes"]}, "none", True),
        ({"age_band": "65_plus"}, "none", True),
    ],
)
def test_the_see_a_clinician_triggers_of_the_spec(raw, level, shows_products):
    screen = load_safety_book().screen(answer_features(parse_answers(raw)))
    assert screen.triage.level == level
    assert screen.shows_products == shows_products


# SPEC section 2's product cautions: answers -> the product property they hold back.
SPEC_CAUTIONS = [
    ({"symptoms": ["numbness_one_leg"]}, "heat"),
    ({"conditions": ["diabetes"]}, "heat"),
    ({"conditions": ["poor_circulation"]}, "heat"),
    ({"conditions": ["poor_circulation"]}, "compression"),
    ({"red_flags": ["calf_swelling"]}, "compression"),
    ({"conditions": ["implanted_device"]}, "magnetic"),
]


@pytest.mark.parametrize(("raw", "prop"), SPEC_CAUTIONS)
def test_each_spec_caution_holds_back_every_product_it_is_about_and_names_its_source(
    engine, raw, prop
):
    products = load_catalog(CATALOG_DIR).products
    flagged = set(products.loc[products[prop], "sku"])
    assert flagged, f"the catalog has no {prop} product to hold back"
    cautions = load_safety_book().active_cautions(answer_features(parse_answers(raw)))
    holding_back = [c for c in cautions if c.excludes and c.property == prop]
    assert holding_back and all(c.source and c.why for c in holding_back)
    every_area = {"pain_areas": list(LIST_CHOICES["pain_areas"]), **raw}
    result = engine.recommend(parse_answers(every_area), 50)
    if result.triage.level in ("none", "see_clinician"):  # a swollen calf shows nothing at all
        assert not flagged & {item.sku for item in result.items}
        assert flagged <= {entry.sku for entry in result.excluded}


def test_insoles_with_diabetes_carry_a_see_a_podiatrist_caution_with_its_source():
    features = answer_features(parse_answers({"conditions": ["diabetes"]}))
    warnings = [c for c in load_safety_book().active_cautions(features) if not c.excludes]
    insole = [c for c in warnings if "orthotic_insole" in c.categories]
    assert insole and "podiatrist" in insole[0].why and insole[0].source
