"""The README's article-to-rules table stays in step with the rule table."""

from __future__ import annotations

from recommender.shopper.rules import load_rule_book
from tests.conftest import REPO


def test_the_readme_table_names_every_rule():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [rule.id for rule in load_rule_book().rules if f"`{rule.id}`" not in readme]
    assert not missing, f"README does not name: {missing}"
