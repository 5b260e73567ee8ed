"""Reasons are true of the product they sit on, and cards never repeat each other.

Regression tests for issue 10: "a firm brace can steady the knee" appeared on insoles and belts,
and in 93% of results two cards carried the same reasons.
"""

from __future__ import annotations

import pytest

from recommender.errors import CatalogError
from recommender.shopper.answers import parse_answers
from recommender.shopper.contrast import CardFacts, first_reasons
from recommender.shopper.kinds import kind_words, wrong_kinds
from recommender.shopper.rules import load_rule_book

RULE = {
    "id": "wobbly_knee",
    "when": ["symptom:knee_gives_way"],
    "weight": 1.0,
    "targets": {"knee_brace_hinged": 1.0, "support:firm": 0.5},
    "says": "links a wobbly knee with nerve trouble",
    "section": "Effects of Sciatic Inflammation",
}


def test_a_rule_whose_general_words_name_a_brace_is_refused_when_the_table_loads():
    bad = {**RULE, "says": "says a firm brace can steady the knee"}
    with pytest.raises(CatalogError, match=r"wobbly_knee.*names brace"):
        load_rule_book({"rule": [bad]})


def test_a_sentence_about_braces_may_only_be_given_to_a_brace():
    wrong = {**RULE, "product_says": {"orthotic_insole": "A brace like this steadies you."}}
    with pytest.raises(CatalogError, match=r"product_says\.orthotic_insole' names brace"):
        load_rule_book({"rule": [wrong]})
    right = {**RULE, "product_says": {"knee_brace_hinged": "A hinged brace like this helps."}}
    rule = load_rule_book({"rule": [right]}).rules[0]
    answers = parse_answers({"symptoms": ["knee_gives_way"]})
    features = frozenset({"symptom:knee_gives_way"})
    assert "hinged brace" in rule.reason(answers, features, "knee_brace_hinged").text
    assert "brace" not in rule.reason(answers, features, "orthotic_insole").text


def test_kind_words_are_found_in_plural_and_checked_against_the_category():
    assert kind_words("Insoles and socks help.") == {"insole", "sock"}
    assert wrong_kinds("A knee sleeve helps.", "knee_sleeve") == frozenset()
    assert wrong_kinds("A knee brace helps.", "knee_sleeve") == {"brace"}
    assert kind_words("Keep your tummy gently braced.") == frozenset()


def test_two_cards_with_the_same_attributes_and_price_still_read_differently():
    answers = parse_answers({"pain_areas": ["knee"]})
    same = CardFacts(("light support",), 20.0)
    told = [("knee pain", "Preventing Back and Knee Pain")] * 3
    texts = [r.text for r in first_reasons([same, same, same], told, answers)]
    assert len(set(texts)) == 3
    assert texts[0].startswith("Because you told us about knee pain, this is the closest match")


def test_a_cheaper_card_says_so_against_the_budget():
    answers = parse_answers({"pain_areas": ["knee"], "budget_max": 50})
    cards = [CardFacts(("firm support",), 40.0), CardFacts(("firm support",), 25.0)]
    told = [("knee pain", "Preventing Back and Knee Pain")] * 2
    second = first_reasons(cards, told, answers)[1].text
    assert "a lower price (25.00, 25.00 under your budget of 50.00)" in second
