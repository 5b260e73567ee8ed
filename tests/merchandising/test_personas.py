"""The saved personas: a regression suite the merchandiser cannot break unnoticed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.errors import CatalogError
from recommender.merchandising.personas import PERSONAS_FILE, load_personas, run_suite
from recommender.shopper.engine import load_engine

REPO = Path(__file__).resolve().parents[2]


def write_personas(directory: Path, *lines: object) -> None:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    (directory / PERSONAS_FILE).write_text(text + "\n")


def test_every_shipped_persona_expectation_holds_today():
    engine = load_engine(REPO / "catalog")
    personas = load_personas(REPO / "catalog", engine.catalog.skus)
    assert len(personas) >= 10
    assert [o.failures for o in run_suite(engine, personas) if o.failures] == []


def test_a_malformed_file_names_each_bad_line(tmp_path):
    good = {"id": "a", "description": "", "answers": {"pain_areas": ["knee"]}}
    write_personas(
        tmp_path,
        good,
        "{not json",
        {"id": "b", "answers": {"pain_areas": ["elbow"]}},
        {"id": "c", "answers": {}, "expect": [{"category_in_top": "socks"}]},
        {"id": "d", "answers": {}, "expect": [{"sku_absent": "NOPE-1"}]},
        good,
    )
    with pytest.raises(CatalogError) as caught:
        load_personas(tmp_path, skus={"KS-101"})
    problems = caught.value.problems
    assert problems[0].startswith("personas.jsonl line 2: not valid JSON")
    assert problems[1].startswith("personas.jsonl line 3: answers field 'pain_areas'")
    assert problems[2] == "personas.jsonl line 4: expect item 1: 'socks' is not a known category"
    assert "line 5: expect item 1: 'NOPE-1' is not a product in the catalog" in problems[3]
    assert problems[4] == "personas.jsonl line 6: id 'a' is used by an earlier line"


def test_a_broken_expectation_says_what_was_expected_and_what_came(tmp_path):
    write_personas(
        tmp_path,
        {
            "id": "runner",
            "answers": {"pain_areas": ["foot"], "bunions": "both", "feet_roll_inward": "yes"},
            "expect": [{"category_in_top": "yoga_prop", "within": 2}, {"no_products": True}],
        },
    )
    engine = load_engine(REPO / "catalog")
    (outcome,) = run_suite(engine, load_personas(tmp_path))
    top_two = ", ".join(item.category for item in outcome.result.items[:2])
    assert outcome.failures[0] == (
        f"category_in_top yoga_prop within 2: expected a yoga_prop in the top 2, got {top_two}"
    )
    assert outcome.failures[1].startswith("no products shown: expected no products, got ")
