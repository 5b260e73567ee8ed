"""The documentation's article-to-rules table (How it works) stays in step with the rule table."""

from __future__ import annotations

from recommender.shopper.rules import load_rule_book
from tests.conftest import REPO


def test_the_readme_table_names_every_rule():
    page = (REPO / "docs" / "explanation" / "how-it-works.md").read_text(encoding="utf-8")
    missing = [rule.id for rule in load_rule_book().rules if f"`{rule.id}`" not in page]
    assert not missing, f"docs/explanation/how-it-works.md does not name: {missing}"
