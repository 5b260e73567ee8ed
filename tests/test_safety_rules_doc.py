"""docs/explanation/safety-rules.md names every triage rule, caution and region the code has."""

from __future__ import annotations

from pathlib import Path

from recommender.shopper.region import region_for
from recommender.shopper.safety import load_safety_book

DOC = (Path(__file__).resolve().parents[1] / "docs" / "explanation" / "safety-rules.md").read_text()


def test_every_rule_and_caution_is_listed_with_its_source():
    book = load_safety_book()
    for row in (*book.triage_rules, *book.cautions, *book.care_notes):
        lines = [line for line in DOC.splitlines() if line.startswith(f"| `{row.id}` |")]
        assert lines, f"{row.id} is not in the safety rules page"
        assert row.source in lines[0], f"{row.id}: the page's source differs from the table's"


def test_every_region_row_shows_the_number_the_code_uses():
    rows = {"GB": "GB", "US": "US", "CA": "CA", "IE": "IE", "AU": "AU", "NZ": "NZ"}
    rows["FR"] = "EU (the other 26 member states)"
    for code, row_name in rows.items():
        region = region_for(code)
        line = next(line for line in DOC.splitlines() if line.startswith(f"| {row_name} |"))
        assert f"| {region.emergency_number} | {region.emergency_department} |" in line
