"""What-if for a weights or stock change: how each saved persona's top results would move.

Also the editor tables the merchandising page shows (plain rows in, weights data out), so the
page only lays out widgets and the conversions are tested here.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from recommender.catalog.products import Catalog
from recommender.catalog.weights import KNOBS, SCHEMA_VERSION
from recommender.errors import CatalogError
from recommender.merchandising.personas import TOP_K, Persona, PersonaOutcome, run_suite
from recommender.merchandising.proposals import CatalogState, load_catalog_text
from recommender.shopper.engine import Engine
from recommender.shopper.rules import RuleBook, load_rule_book

ROSE, FELL, ENTERED, LEFT, SAME = "rose", "fell", "entered", "left", "same"


@dataclass(frozen=True, slots=True)
class Move:
    """One product's place in a persona's top list before and after (None: not in it)."""

    sku: str
    name: str
    before: int | None
    after: int | None

    @property
    def movement(self) -> str:
        """How the product moved: entered, left, up, down or unchanged."""
        if self.before is None:
            return ENTERED
        if self.after is None:
            return LEFT
        return ROSE if self.after < self.before else FELL if self.after > self.before else SAME

    def describe(self) -> str:
        """The move in words, for the page."""
        if self.movement == ENTERED:
            return f"{self.sku} {self.name}: enters at {self.after}"
        if self.movement == LEFT:
            return f"{self.sku} {self.name}: leaves (was {self.before})"
        return f"{self.sku} {self.name}: {self.movement} from {self.before} to {self.after}"


@dataclass(frozen=True, slots=True)
class PersonaComparison:
    """One persona's top products under the current and the proposed files."""

    persona_id: str
    description: str
    current: tuple[str, ...]  # SKUs in rank order
    proposed: tuple[str, ...]
    moves: tuple[Move, ...]  # every product that rose, fell, entered or left
    current_failures: tuple[str, ...]
    proposed_failures: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether the proposal changes this persona's result."""
        return self.current != self.proposed

    @property
    def newly_broken(self) -> tuple[str, ...]:
        """Expectations the change breaks (ones already failing before are not its doing)."""
        return tuple(f for f in self.proposed_failures if f not in self.current_failures)

    def side_by_side(self, names: Mapping[str, str]) -> list[dict[str, Any]]:
        """Rows of rank, current product, proposed product and how the proposed one moved."""
        moved = {m.sku: m for m in self.moves}
        rows = []
        for rank in range(1, max(len(self.current), len(self.proposed)) + 1):
            old = self.current[rank - 1] if rank <= len(self.current) else ""
            new = self.proposed[rank - 1] if rank <= len(self.proposed) else ""
            rows.append(
                {
                    "rank": rank,
                    "current": f"{old} {names.get(old, '')}".strip(),
                    "proposed": f"{new} {names.get(new, '')}".strip(),
                    "change": moved[new].movement if new in moved else "",
                }
            )
        return rows


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Every persona's comparison under a proposal."""

    comparisons: tuple[PersonaComparison, ...]

    @property
    def changed(self) -> tuple[PersonaComparison, ...]:
        """The personas whose result the proposal changes."""
        return tuple(c for c in self.comparisons if c.changed)

    @property
    def newly_broken(self) -> tuple[tuple[str, str], ...]:
        """(persona id, failure) for every expectation the change breaks."""
        return tuple((c.persona_id, f) for c in self.comparisons for f in c.newly_broken)


def compare(
    current: Engine, proposed: Engine, personas: Sequence[Persona], k: int = TOP_K
) -> WhatIf:
    """Run every persona under both engines and line their top `k` up side by side."""
    pairs = zip(run_suite(current, personas, k), run_suite(proposed, personas, k), strict=True)
    return WhatIf(tuple(_comparison(before, after) for before, after in pairs))


def _comparison(before: PersonaOutcome, after: PersonaOutcome) -> PersonaComparison:
    old = tuple(item.sku for item in before.result.items)
    new = tuple(item.sku for item in after.result.items)
    names = {i.sku: i.name for i in (*before.result.items, *after.result.items)}
    moves = tuple(
        Move(sku, names[sku], _rank(old, sku), _rank(new, sku))
        for sku in dict.fromkeys((*new, *old))
        if _rank(old, sku) != _rank(new, sku)
    )
    return PersonaComparison(
        persona_id=before.persona.id,
        description=before.persona.description,
        current=old,
        proposed=new,
        moves=moves,
        current_failures=before.failures,
        proposed_failures=after.failures,
    )


def _rank(skus: tuple[str, ...], sku: str) -> int | None:
    return skus.index(sku) + 1 if sku in skus else None


# Editor tables: what the page's st.data_editor shows, and the weights data read back from it.


def knob_rows(weights_text: str) -> list[dict[str, Any]]:
    """The blend, limit and experiment knobs as rows for the page's editor."""
    data = tomllib.loads(weights_text) if weights_text else {}
    return [
        {
            "section": knob.section,
            "key": knob.key,
            "value": float(data.get(knob.section, {}).get(knob.key, knob.default)),
            "allowed": f"{knob.low:g} to {knob.high:g}" + (", whole" if knob.integer else ""),
            "what it does": knob.doc,
        }
        for knob in KNOBS
    ]


def rule_rows(weights_text: str, rules: RuleBook) -> list[dict[str, Any]]:
    """One row per rule with its multiplier, for the page's editor."""
    multipliers = (tomllib.loads(weights_text) if weights_text else {}).get("rule_multipliers", {})
    return [
        {
            "rule": r.id,
            "multiplier": float(multipliers.get(r.id, 1.0)),
            "article section": r.section,
        }
        for r in rules.rules
    ]


def product_rows(weights_text: str, catalog: Catalog) -> list[dict[str, Any]]:
    """One row per product with its boost and stock, for the page's editor."""
    boosts = (tomllib.loads(weights_text) if weights_text else {}).get("boosts", {})
    columns = ["sku", "name", "category", "price", "in_stock"]
    return [
        {**row, "boost": float(boosts.get(row["sku"], 0.0))}
        for row in catalog.products[columns].to_dict("records")
    ]


def weights_data_from_rows(
    knobs: Iterable[Mapping[str, Any]],
    rules: Iterable[Mapping[str, Any]],
    products: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(weights data for `proposals.propose`, in_stock by SKU) from the edited tables.

    Values pass through unjudged (a blank cell stays None) so the one validator names them.
    """
    integer_keys = {(k.section, k.key) for k in KNOBS if k.integer}
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for row in knobs:
        value = _plain(row["value"])
        if (row["section"], row["key"]) in integer_keys and isinstance(value, float):
            value = int(value) if value.is_integer() else value
        data.setdefault(row["section"], {})[row["key"]] = value
    data["rule_multipliers"] = {row["rule"]: _plain(row["multiplier"]) for row in rules}
    products = list(products)
    data["boosts"] = {row["sku"]: _plain(row["boost"]) for row in products}
    in_stock = {row["sku"]: _plain(row["in_stock"]) for row in products}
    return data, in_stock


# What identifies a row of each editor table, and which of its columns a merchandiser may edit.
TABLE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "knobs": (("section", "key"), ("value",)),
    "rules": (("rule",), ("multiplier",)),
    "products": (("sku",), ("boost", "in_stock")),
}
Cells = dict[tuple[Any, ...], dict[str, Any]]  # row key -> {column: value}


def editor_tables(
    weights_text: str, rules: RuleBook, catalog: Catalog
) -> dict[str, list[dict[str, Any]]]:
    """The three editor tables for one version of the files, by the names of TABLE_KEYS."""
    return {
        "knobs": knob_rows(weights_text),
        "rules": rule_rows(weights_text, rules),
        "products": product_rows(weights_text, catalog),
    }


def edited_cells(
    table: str, before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]
) -> Cells:
    """The editable cells of `after` that differ from `before`: one person's edits to a table."""
    key, editable = TABLE_KEYS[table]
    old = {tuple(row[c] for c in key): row for row in before}
    cells: Cells = {}
    for row in after:
        base = old.get(tuple(row[c] for c in key))
        changed = {
            c: _plain(row[c]) for c in editable if base is None or _plain(row[c]) != _plain(base[c])
        }
        if changed:
            cells[tuple(row[c] for c in key)] = changed
    return cells


def with_cells(table: str, rows: Iterable[Mapping[str, Any]], cells: Cells) -> list[dict[str, Any]]:
    """`rows` with `cells` written over them (rows no longer present are skipped)."""
    key, _ = TABLE_KEYS[table]
    return [{**row, **cells.get(tuple(row[c] for c in key), {})} for row in rows]


def clashes(
    mine: Mapping[str, Cells],
    before: Mapping[str, list[dict[str, Any]]],
    after: Mapping[str, list[dict[str, Any]]],
) -> list[str]:
    """Cells in `mine` that someone else also changed between the `before` and `after` tables,
    named for a person: 'KS-101 boost', 'blend boost'."""
    found = []
    for table, cells in mine.items():
        theirs = edited_cells(table, before[table], after[table])
        found += [
            f"{' '.join(map(str, row))} {column}"
            for row, columns in cells.items()
            for column in columns
            if column in theirs.get(row, {})
        ]
    return found


def clashes_since(
    opened: CatalogState, latest: CatalogState, opened_catalog: Catalog, mine: Mapping[str, Cells]
) -> list[str]:
    """The cells of `mine` (edits made on `opened`) that someone else's save, `latest`, also
    changed; none when there are no edits or their files do not load (the reload shows why)."""
    if not any(mine.values()):
        return []
    try:
        latest_catalog = load_catalog_text(latest.products_text)
    except CatalogError:
        return []
    rules = load_rule_book()
    before = editor_tables(opened.weights_text, rules, opened_catalog)
    return clashes(mine, before, editor_tables(latest.weights_text, rules, latest_catalog))


def _plain(value: Any) -> Any:
    """A Python scalar for a pandas/numpy cell; None for a blank one."""
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value
