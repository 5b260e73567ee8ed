"""What a merchandiser does, one call per action: open the files, preview a change, save it,
roll back to a version. The merchandising page lays out widgets and calls these; it keeps only
what a person typed (their edits, the version they opened) between reruns.

Messages come back as plain text; the page escapes them for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.catalog.validation import CATALOG_NOTICE
from recommender.errors import CatalogError, InputError
from recommender.files import version_token
from recommender.merchandising.history import AuditEntry, history
from recommender.merchandising.personas import load_personas
from recommender.merchandising.proposals import (
    CatalogState,
    Proposal,
    current_state,
    load_proposal,
    propose,
)
from recommender.merchandising.weights_store import (
    StaleEditError,
    rollback_diff,
    save_proposal,
)
from recommender.merchandising.weights_store import rollback as rollback_files
from recommender.merchandising.whatif import (
    TABLE_KEYS,
    Cells,
    WhatIf,
    clashes_since,
    compare,
    edited_cells,
    editor_tables,
    weights_data_from_rows,
    with_cells,
)
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shopper.engine import Engine, build_engine
from recommender.shopper.ranker import Ranker
from recommender.shopper.rules import load_rule_book

Rows = list[dict[str, Any]]
# The columns a merchandiser may edit in each editor table; the others are shown locked.
EDITABLE: dict[str, tuple[str, ...]] = {table: keys[1] for table, keys in TABLE_KEYS.items()}


@dataclass(frozen=True)
class Workspace:
    """The files as a merchandiser opened them, loaded for the editors.

    `current` is None when a hand edit broke a file; `problems` then says what, and a rollback
    (which needs no editors) is the way out.
    """

    opened: CatalogState
    current: Proposal | None
    problems: tuple[str, ...] = ()
    tables: Mapping[str, Rows] = field(default_factory=dict)

    def editor_rows(self, pending: Mapping[str, Cells]) -> dict[str, Rows]:
        """The three editor tables, with `pending` (one's own unsaved edits) written over."""
        return {t: with_cells(t, rows, pending.get(t, {})) for t, rows in self.tables.items()}


@dataclass(frozen=True)
class Preview:
    """What an edit does, before anything is saved."""

    mine: dict[str, Cells]  # the cells this person changed, by table
    proposal: Proposal | None = None  # None: no editors, or `problems` names bad values
    problems: tuple[str, ...] = ()
    changed: bool = False  # the checked proposal differs from the files as opened
    what_if: WhatIf | None = None  # None: no change yet (or the personas cannot be read)
    names: Mapping[str, str] = field(default_factory=dict)  # SKU -> product name
    blockers: tuple[str, ...] = ()  # broken expectations a save must be told to override
    stale: bool = False  # someone saved since this workspace was opened
    clashes: tuple[str, ...] = ()  # cells both this person and that save changed

    @property
    def override_key(self) -> str:
        """A key for the "save anyway" checkbox: an override given for one set of broken
        expectations must not carry over to a later edit that breaks others."""
        return version_token("\n".join(self.blockers), length=12)


@dataclass(frozen=True)
class Outcome:
    """A save or rollback: the message to show, and whether the files changed."""

    done: bool
    message: str
    entry: AuditEntry | None = None


def open_files(directory: Path) -> Workspace:
    """The live files, loaded for editing; raises `CatalogError` only for a file too large to
    open at all (nothing on the page can repair that)."""
    opened = current_state(directory)
    try:
        current = load_proposal(opened.weights_text, opened.products_text)
    except CatalogError as error:
        return Workspace(opened, None, tuple(error.problems))
    tables = editor_tables(opened.weights_text, load_rule_book(), current.catalog)
    return Workspace(opened, current, tables=tables)


def shopper_notices(notices: Iterable[str]) -> list[str]:
    """Of the serving notices, those saying shoppers still get the last good files."""
    return [n.removeprefix(CATALOG_NOTICE) for n in notices if n.startswith(CATALOG_NOTICE)]


def preview(settings: Settings, workspace: Workspace, edited: Mapping[str, Rows]) -> Preview:
    """Check the edited tables; for a valid change, how each saved persona's top 5 moves and
    which expectations break. Also whether someone saved meanwhile, and where you both edited.
    Nothing is written."""
    current = workspace.current
    mine: dict[str, Cells] = {}
    if current is not None:
        mine = {t: edited_cells(t, workspace.tables[t], edited[t]) for t in TABLE_KEYS}
    latest = current_state(settings.catalog_dir)
    stale = latest.token != workspace.opened.token
    overlap: tuple[str, ...] = ()
    if stale and current is not None:
        overlap = tuple(clashes_since(workspace.opened, latest, current.catalog, mine))
    found = Preview(mine, stale=stale, clashes=overlap)
    if current is None:
        return found
    weights_data, in_stock = weights_data_from_rows(
        edited["knobs"], edited["rules"], edited["products"]
    )
    try:
        proposal = propose(workspace.opened, weights_data, in_stock)
    except CatalogError as error:
        return _with(found, problems=tuple(error.problems))
    if _same_files(proposal, workspace.opened):
        return _with(found, proposal=proposal)
    return _with(found, proposal=proposal, changed=True, **_what_if(settings, current, proposal))


def _same_files(proposal: Proposal, opened: CatalogState) -> bool:
    return (proposal.weights_text, proposal.products_text) == (
        opened.weights_text,
        opened.products_text,
    )


def _what_if(settings: Settings, current: Proposal, proposal: Proposal) -> dict[str, Any]:
    model, _ = resolve_model(settings, None, rules_only=False)
    try:
        personas = load_personas(settings.catalog_dir, proposal.catalog.skus)
    except CatalogError as error:
        return {"blockers": tuple(f"the personas file cannot be read: {p}" for p in error.problems)}
    result = compare(_engine(current, model), _engine(proposal, model), personas)
    products = proposal.catalog.products
    return {
        "what_if": result,
        "names": dict(zip(products["sku"], products["name"], strict=True)),
        "blockers": tuple(f"{persona}: {failure}" for persona, failure in result.newly_broken),
    }


def _engine(proposal: Proposal, model: Ranker | None) -> Engine:
    return build_engine(proposal.catalog, proposal.weights, model)


def _with(found: Preview, **changes: Any) -> Preview:
    return Preview(**{**found.__dict__, **changes})


def save(
    directory: Path, workspace: Workspace, proposal: Proposal, *, who: str, note: str
) -> Outcome:
    """Save `proposal` as a new version (journalled and audited), unless someone saved since
    `workspace` was opened."""
    try:
        entry = save_proposal(
            directory, proposal, base_token=workspace.opened.token, who=who, note=note
        )
    except StaleEditError as error:
        return Outcome(False, f"{error} Your edits are still on this page.")
    except InputError as error:
        return Outcome(False, f"Not saved: {error}")
    return Outcome(True, f"Saved as version {entry.version}.", entry)


def rollback(directory: Path, workspace: Workspace, *, who: str, to: int) -> Outcome:
    """Restore version `to` as a new version, unless someone saved since `workspace` was opened."""
    try:
        entry = rollback_files(directory, who=who, to=to, base_token=workspace.opened.token)
    except InputError as error:  # also StaleEditError: someone saved meanwhile
        return Outcome(False, f"Not rolled back: {error}")
    return Outcome(True, f"Restored version {to} as version {entry.version}.", entry)


@dataclass(frozen=True)
class Versions:
    """The saved versions, newest first, for the history table and the rollback choice."""

    entries: tuple[AuditEntry, ...]  # newest first

    @property
    def rows(self) -> Rows:
        """One row per saved version, for the page's table."""
        return [
            {"version": e.version, "when": e.at, "who": e.who, "what": e.action, "note": e.note}
            for e in self.entries
        ]

    @property
    def numbers(self) -> list[int]:
        """The saved versions' numbers, newest first."""
        return [e.version for e in self.entries]

    @property
    def default_index(self) -> int:
        """The version before the latest: the usual "undo my last save"."""
        return min(1, len(self.entries) - 1)

    def saved_diff(self, version: int) -> str:
        """The diff saved with version `version`."""
        return next(e.diff for e in self.entries if e.version == version)


def versions(directory: Path) -> Versions:
    """Every saved version, newest first."""
    return Versions(tuple(reversed(history(directory))))


def with_edits(table: str, rows: Rows, shown: Rows, edited: Rows) -> Rows:
    """The whole table `rows` with the edits made in a grid that showed only `shown` (a search
    result): products the search left out keep their values."""
    return with_cells(table, rows, edited_cells(table, shown, edited))


def editor_cells(table: str, shown: Rows, state: Mapping[str, Any] | None) -> Cells:
    """The cells a data editor's saved state (`edited_rows`, by position in `shown`) changed."""
    after = [dict(row) for row in shown]
    for index, columns in ((state or {}).get("edited_rows") or {}).items():
        position = int(index)
        if 0 <= position < len(after):
            after[position].update(columns)
    return edited_cells(table, shown, after)


def rollback_preview(directory: Path, to: int) -> str:
    """What rolling back to version `to` would change in the files as they are now."""
    return rollback_diff(directory, to)
