"""A printable page (HTML) a shopper can download and show a physiotherapist or doctor.

It holds the answers in plain words, the outcome of the safety screen, the products suggested
with their reasons and cautions, what was held back and why, and the self-care ideas. It never
holds raw height or weight: only the weight band the answers carry.

The summary is built as plain sections first (`summary_sections`), then written out as one
self-contained HTML page: every text from the answers, the catalog or the result is escaped,
and the page loads nothing (no scripts, fonts or pictures), so it opens the same offline.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from recommender.catalog.money import PLAIN, Money
from recommender.shop.questionnaire import QUESTIONS, STEPS, describe
from recommender.shop.shopping import HeldBack, category_label, price_text
from recommender.shopper.answers import Answers
from recommender.shopper.result import Result
from recommender.shopper.sections import ARTICLE_TITLE

SUMMARY_FILE_NAME = "product-finder-summary.html"
SUMMARY_MIME = "text/html"
_LEVEL_WORDS = {
    "none": "No warning signs in the answers",
    "see_clinician": "See a clinician about this",
    "urgent": "See a doctor today",
    "emergency": "Emergency care needed now",
}
_BODY_MASS_WORDS = {
    "below_typical": "below the typical range",
    "typical": "in the typical range",
    "above_typical": "above the typical range",
    "high": "well above the typical range",
}
_DISCLAIMER = (
    "This summary comes from an online product finder. It is not a diagnosis or a treatment "
    "plan; braces and supports are for short-term comfort, and staying active comes first."
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a section, with the lines under it (a product's reasons and cautions)."""

    text: str
    notes: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    """One section of the summary: a title, an optional lead sentence, and its entries."""

    title: str
    lead: str = ""  # a sentence before the list
    entries: tuple[Entry, ...] = ()
    numbered: bool = False


def summary_sections(
    answers: Answers, result: Result, held: Sequence[HeldBack] = (), *, money: Money = PLAIN
) -> tuple[Section, ...]:
    """What the summary says, section by section, as plain (unescaped) text."""
    sections = (
        _answers_block(answers),
        _screen_block(result),
        _products_block(result, money),
        _held_back_block(held),
        _advice_block(result),
        _suggestions_block(result),
    )
    return tuple(section for section in sections if section is not None)


def summary_html(
    answers: Answers,
    result: Result,
    held: Sequence[HeldBack] = (),
    *,
    on: date | None = None,
    money: Money = PLAIN,
) -> str:
    """The whole summary as one printable HTML page."""
    title = f"Product finder summary ({(on or date.today()).isoformat()})"
    body = [f"<h1>{_e(title)}</h1>", f'<p class="note">{_e(_DISCLAIMER)}</p>']
    for section in summary_sections(answers, result, held, money=money):
        body.append(f"<h2>{_e(section.title)}</h2>")
        if section.lead:
            body.append(f"<p>{_e(section.lead)}</p>")
        if section.entries:
            tag = "ol" if section.numbered else "ul"
            body.append(f"<{tag}>{''.join(_entry(entry) for entry in section.entries)}</{tag}>")
    body.append(f'<p class="note">Reasons cite sections of the article “{_e(ARTICLE_TITLE)}”.</p>')
    body.append('<p class="screen-only">To keep a paper copy, print this page (Ctrl+P).</p>')
    return _PAGE.format(title=_e(title), style=_STYLE, body="\n".join(body))


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _entry(entry: Entry) -> str:
    inner = "".join(f"<li>{_e(note)}</li>" for note in entry.notes)
    inner += "".join(f'<li class="caution">Caution: {_e(c)}</li>' for c in entry.cautions)
    under = f"<ul>{inner}</ul>" if inner else ""
    return f"<li>{_e(entry.text)}{under}</li>"


_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; color: #1b1d23; max-width: 46rem; margin: 2rem auto;
  padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; border-bottom: 1px solid #ccc; }
li { margin: 0.2rem 0; } .note { color: #4a4d57; }
.caution { font-weight: 600; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } .screen-only { display: none; }
  h2 { break-after: avoid; } li { break-inside: avoid; } }
"""
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
</body>
</html>
"""


def _answers_block(answers: Answers) -> Section:
    lines = []
    record = {**answers.to_record(), **answers.measurements}
    for step in STEPS:
        for question in step.questions:
            if question.field in record:
                label = question.label.removesuffix(" (optional)")
                sep = " " if label.endswith("?") else ": "
                value = describe(question.field, record[question.field])
                lines.append(f"{label}{sep}{value}")
    if answers.body_mass_band is not None:
        lines.append(f"Weight for height: {_BODY_MASS_WORDS[answers.body_mass_band]}")
    if not lines:
        lines.append("No answers given.")
    return Section("Answers", entries=tuple(Entry(line) for line in lines))


def _screen_block(result: Result) -> Section:
    triage = result.triage
    entries: tuple[Entry, ...] = ()
    if triage.flags:
        flags = [f for f in triage.flags if f in QUESTIONS["red_flags"].options]
        if flags:
            entries = (Entry("Reported: " + describe("red_flags", flags) + "."),)
    return Section("Safety check", f"{_LEVEL_WORDS[triage.level]}. {triage.message}", entries)


def _products_block(result: Result, money: Money) -> Section:
    if not result.items:
        return Section("Suggested products", "None.")
    entries = tuple(
        Entry(
            f"{item.name} ({category_label(item.category)}, {price_text(item.price, money)})",
            tuple(f"{r.text} (article section: {r.section})" for r in item.reasons),
            tuple(item.cautions),
        )
        for item in result.items
    )
    return Section("Suggested products", entries=entries, numbered=True)


def _held_back_block(held: Sequence[HeldBack]) -> Section | None:
    if not held:
        return None
    return Section("Held back", entries=tuple(Entry(f"{row.name}: {row.why}") for row in held))


def _advice_block(result: Result) -> Section | None:
    if not result.advice:
        return None
    entries = tuple(Entry(f"{a.text} (article section: {a.section})") for a in result.advice)
    return Section("Self-care ideas", entries=entries)


def _suggestions_block(result: Result) -> Section | None:
    if not result.suggestions:
        return None
    entries = tuple(Entry(s.text) for s in result.suggestions)
    return Section("What would change the result", entries=entries)
