"""The downloadable summary a shopper takes to a physiotherapist or doctor: a printable page."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from recommender.shop.shopping import held_back
from recommender.shop.summary import summary_html
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import Engine, load_engine

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


class _Page(HTMLParser):
    """What a browser would show and which tags it would make, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.lines: list[str] = []
        self._text = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.append(tag)
        self._flush()

    def handle_endtag(self, tag: str) -> None:
        self._flush()

    def handle_data(self, data: str) -> None:
        self._text += data

    def _flush(self) -> None:
        if self._text.strip():
            self.lines.append(self._text.strip())
        self._text = ""


def _read(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine(CATALOG)


def test_summary_lists_answers_outcome_products_and_advice(engine: Engine) -> None:
    answers = parse_answers(
        {"pain_areas": ["knee", "lower_back"], "bunions": "both", "habits": ["slouching"]}
    )
    result = engine.recommend(answers, 3)
    page = _read(summary_html(answers, result, on=date(2026, 1, 2)))
    assert page.lines[0] == "Product finder summary (2026-01-02)"
    assert "Where do you feel pain? Knee; Lower back" in page.lines
    assert "Do you have bunions? Both feet" in page.lines
    assert any(line.startswith("No warning signs in the answers") for line in page.lines)
    assert page.tags.count("h2") >= 4 and "ol" in page.tags  # products in their order
    for item in result.items:
        assert any(line.startswith(f"{item.name} (") for line in page.lines)
        for reason in item.reasons:
            assert f"{reason.text} (article section: {reason.section})" in page.lines
    assert f"{result.advice[0].text} (article section: {result.advice[0].section})" in page.lines


def test_a_products_cautions_are_printed_under_it(engine: Engine) -> None:
    answers = parse_answers({"pain_areas": ["foot"], "conditions": ["diabetes"]})
    result = engine.recommend(answers, 5)
    cautioned = [item for item in result.items if item.cautions]
    assert cautioned
    lines = _read(summary_html(answers, result)).lines
    assert f"Caution: {cautioned[0].cautions[0]}" in lines


def test_summary_of_a_red_flag_names_it_and_lists_no_products(engine: Engine) -> None:
    answers = parse_answers({"red_flags": ["calf_swelling"], "pain_areas": ["knee"]})
    lines = _read(summary_html(answers, engine.recommend(answers))).lines
    assert any(line.startswith("See a doctor today.") for line in lines)
    assert "Reported: One calf is painful, swollen, warm or red." in lines
    assert lines[lines.index("Suggested products") + 1] == "None."


def test_summary_keeps_the_weight_band_never_the_numbers(engine: Engine) -> None:
    answers = parse_answers({"pain_areas": ["knee"], "height_cm": 163.5, "weight_kg": 91.3})
    page = summary_html(answers, engine.recommend(answers))
    assert "Weight for height: well above the typical range" in _read(page).lines
    assert "163.5" not in page and "91.3" not in page


def test_summary_carries_what_was_held_back_and_the_suggested_change(engine: Engine) -> None:
    answers = parse_answers({"pain_areas": ["knee"], "budget_max": 1})
    result = engine.recommend(answers)
    lines = _read(summary_html(answers, result, held_back(result.excluded, engine))).lines
    assert "Held back" in lines and any("over your budget" in line for line in lines)
    assert "What would change the result" in lines
    assert result.suggestions[0].text in lines


def test_the_page_loads_nothing_from_anywhere(engine: Engine) -> None:
    answers = parse_answers({"pain_areas": ["knee"]})
    page = summary_html(answers, engine.recommend(answers))
    assert not {"script", "img", "link", "iframe", "a"} & set(_read(page).tags)
    assert "default-src 'none'" in page


def test_hostile_product_names_in_the_summary_stay_text(tmp_path) -> None:
    from tests.hostile_catalog import hostile_catalog

    hostile = load_engine(hostile_catalog(CATALOG, tmp_path / "hostile"))
    answers = parse_answers({"pain_areas": ["knee", "lower_back"], "bunions": "both"})
    result = hostile.recommend(answers, 5)
    held = held_back(result.excluded, hostile)
    assert result.items and held
    page = _read(summary_html(answers, result, held))
    assert not {"script", "img", "a", "iframe"} & set(page.tags)
    text = "\n".join(page.lines)
    assert result.items[0].name in text and held[0].name in text  # as typed
