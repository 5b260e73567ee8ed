"""The weights.toml a save writes: rendered from a template that documents every knob.

The file is rendered from this template and the KNOBS docs rather than dumped as bare TOML, so
every saved version still explains itself to the next person who opens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import tomli_w

from recommender.catalog.weights import KNOBS, SCHEMA_VERSION

FILE_HEADER = """\
# Merchandisers' knobs. A file with any problem is refused whole and the last good weights stay
# in force; `recommender catalog validate` lists every problem with its key.
# The merchandising page rewrites this file from a template: numbers are kept, other notes not.
"""
SECTION_NOTES = {
    "blend": "How much each part counts in a product's score. A score is\n"
    "  rules x (article-rule score, 0..1) + model x (re-ranker score, 0..1) + boost x (boost).\n"
    "The model counts only once an analyst has promoted one trained on enough feedback.",
    "limits": "What one result may hold.",
    "experiment": "Shares of sessions that run without one part of the blend, or that see a\n"
    "candidate model interleaved with the served ranking, to measure them.\n"
    "0 switches an arm off; the rest of the sessions are the control.",
    "rule_multipliers": "Scale one article rule (0 to 3): 0 switches it off, 1 leaves it as "
    "written.\nKeys are rule ids; a rule not listed keeps 1.",
    "boosts": "Nudge one product up or down (-1 to 1), multiplied by [blend] boost. Keys are "
    "SKUs.\nBoosts reorder products the rules already chose; they never bring back a product "
    "that a\nsafety caution, the budget or stock held back.",
}


def render_weights(data: Mapping[str, Any]) -> str:
    """weights.toml text for already-validated `data`, every section with its documentation.

    Defaults are written out for the fixed knobs (so the file shows every knob), and left out
    for rules at 1 and products at 0 boost (so the lists show only deliberate changes).
    """
    parts = [FILE_HEADER + f"schema_version = {SCHEMA_VERSION}\n"]
    for section in dict.fromkeys(knob.section for knob in KNOBS):
        lines = [_note(section)]
        for knob in (k for k in KNOBS if k.section == section):
            value = data.get(section, {}).get(knob.key, knob.default)
            value = int(value) if knob.integer else float(value)
            doc = knob.doc[0].upper() + knob.doc[1:]
            lines.append(f"# {doc}: {knob.low:g} to {knob.high:g}, default {knob.default:g}.")
            lines.append(_toml_line(knob.key, value))
        parts.append(f"[{section}]\n" + "\n".join(lines) + "\n")
    for section, neutral in (("rule_multipliers", 1.0), ("boosts", 0.0)):
        entries = data.get(section, {})
        lines = [_toml_line(k, float(v)) for k, v in entries.items() if float(v) != neutral]
        parts.append(f"[{section}]\n" + "\n".join([_note(section), *lines]) + "\n")
    return "\n".join(parts)


def _note(section: str) -> str:
    return "\n".join(f"# {line}" for line in SECTION_NOTES[section].splitlines())


def _toml_line(key: str, value: float) -> str:
    return tomli_w.dumps({key: value}).strip()
