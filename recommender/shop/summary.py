"""A plain-text (Markdown) summary a shopper can download and show a physiotherapist or doctor.

It holds the answers in plain words, the outcome of the safety screen, the products suggested
with their reasons, what was held back and why, and the self-care ideas. It never holds raw
height or weight: only the weight band the answers carry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from recommender.catalog.money import PLAIN, Money
from recommender.escaping import plain
from recommender.shop.questionnaire import QUESTIONS, STEPS, describe
from recommender.shop.shopping import HeldBack, category_label, price_text
from recommender.shopper.answers import Answers
from recommender.shopper.result import Result
from recommender.shopper.sections import ARTICLE_TITLE

SUMMARY_FILE_NAME = "product-finder-summary.md"
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


def summary_markdown(
    answers: Answers,
    result: Result,
    held: Sequence[HeldBack] = (),
    *,
    on: date | None = None,
    money: Money = PLAIN,
) -> str:
    """The whole summary as Markdown text."""
    lines = [f"# Product finder summary ({(on or date.today()).isoformat()})", "", _DISCLAIMER]
    lines += _answers_block(answers)
    lines += _screen_block(result)
    lines += _products_block(result, money)
    lines += _held_back_block(held)
    lines += _advice_block(result)
    lines += _suggestions_block(result)
    lines += ["", f"Reasons cite sections of the article “{ARTICLE_TITLE}”."]
    return "\n".join(lines) + "\n"


def _answers_block(answers: Answers) -> list[str]:
    lines = ["", "## Answers", ""]
    record = {**answers.to_record(), **answers.measurements}
    for step in STEPS:
        for question in step.questions:
            if question.field in record:
                label = question.label.removesuffix(" (optional)")
                sep = " " if label.endswith("?") else ": "
                value = describe(question.field, record[question.field])
                lines.append(f"- {label}{sep}{value}")
    if answers.body_mass_band is not None:
        lines.append(f"- Weight for height: {_BODY_MASS_WORDS[answers.body_mass_band]}")
    if len(lines) == 3:
        lines.append("- No answers given.")
    return lines


def _screen_block(result: Result) -> list[str]:
    triage = result.triage
    lines = ["", "## Safety check", "", f"**{_LEVEL_WORDS[triage.level]}.** {triage.message}"]
    if triage.flags:
        flags = [f for f in triage.flags if f in QUESTIONS["red_flags"].options]
        if flags:
            lines.append("")
            lines.append("Reported: " + describe("red_flags", flags) + ".")
    return lines


def _products_block(result: Result, money: Money) -> list[str]:
    if not result.items:
        return ["", "## Suggested products", "", "None."]
    lines = ["", "## Suggested products"]
    for item in result.items:
        lines += [
            "",
            # Names come from the catalog file: a Markdown viewer must not fetch or link them.
            f"{item.rank}. **{plain(item.name)}** ({category_label(item.category)}, "
            f"{price_text(item.price, money)})",
        ]
        lines += [
            f"   - {reason.text} (article section: {reason.section})" for reason in item.reasons
        ]
        lines += [f"   - Caution: {caution}" for caution in item.cautions]
    return lines


def _held_back_block(held: Sequence[HeldBack]) -> list[str]:
    if not held:
        return []
    return ["", "## Held back", "", *(f"- {plain(row.name)}: {row.why}" for row in held)]


def _advice_block(result: Result) -> list[str]:
    if not result.advice:
        return []
    lines = ["", "## Self-care ideas", ""]
    return lines + [f"- {a.text} (article section: {a.section})" for a in result.advice]


def _suggestions_block(result: Result) -> list[str]:
    if not result.suggestions:
        return []
    return ["", "## What would change the result", "", *(f"- {s.text}" for s in result.suggestions)]
