"""Our words, not the article's: reasons cite real headings and never copy its sentences."""

from __future__ import annotations

import re
import subprocess

import pytest

from recommender.shopper.advice import load_advice_book
from recommender.shopper.rules import load_rule_book
from recommender.shopper.safety import load_safety_book
from recommender.shopper.sections import ARTICLE_TITLE, SECTIONS
from tests.conftest import ARTICLE, REPO

RUN = 8
WORD = re.compile(r"[a-z0-9']+")
article_text = ARTICLE.read_text(encoding="utf-8") if ARTICLE.exists() else ""
needs_article = pytest.mark.skipif(
    not article_text, reason="../shared/article.txt is not beside the repo"
)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def runs(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i : i + RUN]) for i in range(len(found) - RUN + 1)}


def without_headings(text: str) -> str:
    # A heading is quoted on purpose, as a citation; everything around it must be our own.
    for heading in (*SECTIONS, ARTICLE_TITLE):
        text = text.replace(heading, " | ")
    return text


def our_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True
    ).stdout.split()
    keep = re.compile(
        r"^(recommender|catalog|training|views)/.*\.(py|toml|csv|jsonl|md)$|^(README|docs/.*)\.md$|^app\.py$"
    )
    return [name for name in listed if keep.match(name) and (REPO / name).exists()]


@needs_article
def test_every_cited_section_is_a_heading_of_the_article():
    lines = {line.strip() for line in article_text.splitlines()}
    assert set(SECTIONS) <= lines


@needs_article
def test_no_eight_word_run_of_the_article_appears_in_our_files():
    article_runs = runs(article_text)
    copied = {}
    for name in our_files():
        overlap = runs(without_headings((REPO / name).read_text(encoding="utf-8"))) & article_runs
        if overlap:
            copied[name] = " ".join(sorted(overlap)[0])
    assert not copied, copied


@needs_article
def test_the_check_would_catch_a_copied_sentence():
    lifted = " ".join(words(article_text)[200:212])
    assert runs(without_headings(f"We say: {lifted}.")) & runs(article_text)


def test_rules_advice_and_safety_tables_cite_the_article_or_a_source():
    assert all(rule.section in SECTIONS for rule in load_rule_book().rules)
    assert all(entry.section in SECTIONS for entry in load_advice_book().entries)
    safety = load_safety_book()
    assert all(rule.source for rule in safety.triage_rules)
    assert all(caution.source for caution in safety.cautions)


def test_nothing_we_say_diagnoses():
    texts = [rule.says for rule in load_rule_book().rules]
    texts += [entry.text for entry in load_advice_book().entries]
    texts += [rule.why for rule in load_safety_book().triage_rules]
    diagnosing = re.compile(r"\byou have (sciatica|a|an)\b|\byour diagnosis\b", re.IGNORECASE)
    assert not [text for text in texts if diagnosing.search(text)]
