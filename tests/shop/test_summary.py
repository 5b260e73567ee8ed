"""The downloadable summary a shopper takes to a physiotherapist or doctor."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from recommender.escaping import plain
from recommender.shop.shopping import held_back
from recommender.shop.summary import summary_markdown
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import Engine, load_engine

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def test_summary_lists_answers_outcome_products_and_advice(engine: Engine) -> None:
    answers = parse_answers(
        {"pain_areas": ["knee", "lower_back"], "bunions": "both", "habits": ["slouching"]}
    )
    result = engine.recommend(answers, 3)
    text = summary_markdown(answers, result, on=date(2026, 1, 2))
    assert text.startswith("# Product finder summary (2026-01-02)")
    assert "- Where do you feel pain? Knee; Lower back" in text
    assert "- Do you have bunions? Both feet" in text
    assert "No warning signs in the answers" in text
    for item in result.items:
        assert f"{item.rank}. **{plain(item.name)}**" in text
    assert result.advice and result.advice[0].text in text
    assert "article section: " in text


def test_summary_of_a_red_flag_names_it_and_lists_no_products(engine: Engine) -> None:
    answers = parse_answers({"red_flags": ["calf_swelling"], "pain_areas": ["knee"]})
    text = summary_markdown(answers, engine.recommend(answers))
    assert "See a doctor today" in text
    assert "Reported: One calf is painful, swollen, warm or red." in text
    assert "## Suggested products\n\nNone." in text


def test_summary_keeps_the_weight_band_never_the_numbers(engine: Engine) -> None:
    answers = parse_answers({"pain_areas": ["knee"], "height_cm": 163.5, "weight_kg": 91.3})
    text = summary_markdown(answers, engine.recommend(answers))
    assert "Weight for height: well above the typical range" in text
    assert "163.5" not in text and "91.3" not in text


def test_summary_carries_what_was_held_back_and_the_suggested_change(engine: Engine) -> None:
    answers = parse_answers({"pain_areas": ["knee"], "budget_max": 1})
    result = engine.recommend(answers)
    text = summary_markdown(answers, result, held_back(result.excluded, engine))
    assert "## Held back" in text and "over your budget" in text
    assert "## What would change the result" in text
    assert result.suggestions[0].text in text


def test_hostile_product_names_in_the_summary_stay_text_in_a_markdown_viewer(tmp_path) -> None:
    import html

    from markdown_it import MarkdownIt

    from recommender.escaping import WORD_JOINER
    from tests.hostile_catalog import hostile_catalog

    hostile = load_engine(hostile_catalog(CATALOG, tmp_path / "hostile"))
    answers = parse_answers({"pain_areas": ["knee", "lower_back"], "bunions": "both"})
    result = hostile.recommend(answers, 5)
    held = held_back(result.excluded, hostile)
    assert result.items and held
    rendered = MarkdownIt("commonmark").render(summary_markdown(answers, result, held))
    assert "<img" not in rendered and "<a " not in rendered and "<script" not in rendered
    readable = html.unescape(rendered).replace(WORD_JOINER, "")
    assert result.items[0].name in readable and held[0].name in readable  # as typed
