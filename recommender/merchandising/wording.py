"""The merchandising page in words: settings, rules and categories named for a person, and a
rollback shown as a table of what changes rather than a diff of files.

The file keys (`blend.model`, `knee_sleeve`) stay available beside the words, as tooltips on
the page, because they are what a merchandiser searches the files and the audit log for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from recommender.catalog.labels import category_label
from recommender.errors import CatalogError
from recommender.merchandising.proposals import CatalogState, current_state, load_catalog_text
from recommender.merchandising.weights_store import rollback_diff, version_state
from recommender.merchandising.whatif import TABLE_KEYS, editor_tables
from recommender.model.serving import RULES_ONLY
from recommender.shopper.rules import load_rule_book

Row = dict[str, Any]
WHAT, CHANGE, NOW, AFTER = "what", "setting", "now", "after rolling back"


def words(key: str) -> str:
    """'max_per_category' -> 'Max per category'."""
    return key.replace("_", " ").strip().capitalize()


def knob_label(section: str, key: str) -> str:
    """A weights.toml knob for a person: 'Blend: model', 'Limits: max per category'."""
    return f"{words(section)}: {words(key).lower()}"


def with_words(table: str, rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Editor rows with a first column in words ("setting", "rule") and categories as words;
    the keys stay in their columns, which the page labels as file keys."""
    shown = []
    for row in rows:
        # The words and the value first, the file keys last: a person reads along the row.
        if table == "knobs":
            label = {"setting": knob_label(row["section"], row["key"])}
            shown.append({**label, **_keys_last(row, ("section", "key"))})
        elif table == "rules":
            shown.append({"rule in words": words(row["rule"]), **_keys_last(row, ("rule",))})
        else:
            shown.append({**row, "category": category_label(str(row["category"]))})
    return shown


def _keys_last(row: Mapping[str, Any], keys: tuple[str, ...]) -> Row:
    return {**{k: v for k, v in row.items() if k not in keys}, **{k: row[k] for k in keys}}


def matching(rows: Iterable[Mapping[str, Any]], query: str) -> list[Row]:
    """The product rows whose SKU, name or category (as words or id) holds `query`, any case."""
    needle = query.strip().casefold()
    if not needle:
        return [dict(row) for row in rows]
    fields = ("sku", "name", "category")
    return [
        dict(row)
        for row in rows
        if any(needle in str(row.get(f, "")).casefold() for f in fields)
        or needle in category_label(str(row.get("category", ""))).casefold()
    ]


def model_weight_note(edited_knobs: Iterable[tuple[Any, ...]], served_model: str) -> str | None:
    """Why a change of the model's weight shows no effect, when it cannot have one."""
    if ("blend", "model") not in set(edited_knobs) or served_model != RULES_ONLY:
        return None
    return (
        "No model is being served (shoppers get rules-only), so the model's weight changes "
        "nothing today. It counts once an analyst promotes a trusted model."
    )


def rollback_changes(directory: Path, to: int) -> tuple[list[Row], str]:
    """What rolling back to version `to` would change now: (rows of what, setting, now, after),
    or, where a version's files do not load, no rows and the raw diff instead."""
    target = version_state(directory, to)
    try:
        return changes(current_state(directory), target), ""
    except CatalogError:
        return [], rollback_diff(directory, to)


def changes(before: CatalogState, after: CatalogState) -> list[Row]:
    """Every editable value, product and size chart that differs between two versions."""
    rules = load_rule_book()
    old_catalog = load_catalog_text(before.products_text, before.sizes_text)
    new_catalog = load_catalog_text(after.products_text, after.sizes_text)
    old = editor_tables(before.weights_text, rules, old_catalog)
    new = editor_tables(after.weights_text, rules, new_catalog)
    rows: list[Row] = []
    for table, (key, editable) in TABLE_KEYS.items():
        was = {tuple(r[c] for c in key): r for r in old[table]}
        now = {tuple(r[c] for c in key): r for r in new[table]}
        for row_key in [*was, *(k for k in now if k not in was)]:
            a, b = was.get(row_key), now.get(row_key)
            name = _name(table, a or b or {})
            if a is None or b is None:
                rows.append({WHAT: name, CHANGE: "product", NOW: _present(a), AFTER: _present(b)})
                continue
            rows += [
                {WHAT: name, CHANGE: column.replace("_", " "), NOW: a[column], AFTER: b[column]}
                for column in editable
                if a[column] != b[column]
            ]
    if before.sizes_text != after.sizes_text:
        rows.append({WHAT: "Size charts", CHANGE: "sizes.csv", NOW: "as now", AFTER: "changed"})
    return rows


def _name(table: str, row: Mapping[str, Any]) -> str:
    if table == "knobs":
        return knob_label(row["section"], row["key"])
    if table == "rules":
        return f"Rule: {words(row['rule']).lower()}"
    return f"{row.get('name', '')} ({row.get('sku', '')})"


def _present(row: Mapping[str, Any] | None) -> str:
    return "in the catalog" if row is not None else "not in the catalog"
