"""Saving merchandisers' edits to weights.toml and stock: checked, atomic, versioned, audited.

Everything lives beside the files it guards (see `catalog_history`), so a RECOMMENDER_CATALOG
pointing elsewhere keeps its own history. A save is one unit: recorded before it goes live, and
finished or undone on the next start if a crash interrupts it.

An editor opens with a `token` (a hash of both files); a save made from a stale token is
refused, so the second of two merchandisers learns of the first one's change instead of
silently overwriting it. A rollback is itself a new version, so it can be undone too.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from recommender.catalog.products import MAX_CATALOG_BYTES, PRODUCTS_FILE, Catalog, load_catalog
from recommender.catalog.weights import (
    KNOBS,
    MAX_WEIGHTS_BYTES,
    SCHEMA_VERSION,
    WEIGHTS_FILE,
    Weights,
    load_weights,
    parse_weights,
)
from recommender.errors import CatalogError, InputError
from recommender.files import version_token
from recommender.merchandising.history import (
    SIZES_FILE,
    AuditEntry,
    commit,
    history,
    locked,
    next_version,
    recover,
    recover_locked,
    version_dir,
    write_pair,
)
from recommender.shopper.rules import load_rule_book

BASELINE_WHO = "(files as found before the first save)"

# The file is rendered from this template and the KNOBS docs rather than dumped as bare TOML,
# so every saved version still explains itself to the next person who opens it.
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


class StaleEditError(InputError):
    """The files changed on disk since the editor opened them; nothing was written."""


@dataclass(frozen=True)
class CatalogState:
    """The editable files as they are on disk, and the token an editor opens them with."""

    weights_text: str
    products_text: str
    sizes_text: str = ""  # empty: the catalog has no sizes.csv

    @property
    def token(self) -> str:
        return state_token(self.weights_text, self.products_text, self.sizes_text)


@dataclass(frozen=True)
class Proposal:
    """Checked new contents for both files, with the catalog and weights they load as."""

    weights_text: str
    products_text: str
    catalog: Catalog
    weights: Weights
    sizes_text: str = ""


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


def state_token(weights_text: str, products_text: str, sizes_text: str = "") -> str:
    data = weights_text.encode() + b"\0" + products_text.encode()
    if sizes_text:  # without sizes.csv a token stays what it was before sizes were versioned
        data += b"\0" + sizes_text.encode()
    return version_token(data)


def current_state(directory: Path) -> CatalogState:
    """The live files, after finishing or undoing any save a crash interrupted."""
    # If the disk still refuses, the journal stays and the next save names the problem.
    with contextlib.suppress(OSError):
        recover(directory)
    return _read_state(directory)


def _read_state(directory: Path) -> CatalogState:
    directory = Path(directory)
    return CatalogState(
        _editable_text(directory / WEIGHTS_FILE, MAX_WEIGHTS_BYTES),
        _editable_text(directory / PRODUCTS_FILE, MAX_CATALOG_BYTES),
        _editable_text(directory / SIZES_FILE, MAX_CATALOG_BYTES),
    )


def _editable_text(path: Path, cap: int) -> str:
    """A file's text for editing and diffing, never raising on what a hand edit can leave.

    A folder reads as no file, and bytes that are not UTF-8 as U+FFFD: the page can still open
    and roll back, while serving (which reads the bytes strictly) names the real problem.
    """
    if not path.is_file():
        return ""
    with path.open("rb") as handle:
        raw = handle.read(cap + 1)
    if len(raw) > cap:
        raise CatalogError([f"{path.name}: larger than the {cap:,} bytes allowed"])
    return raw.decode("utf-8", errors="replace")


def propose(
    base: CatalogState, weights_data: Mapping[str, Any], in_stock: Mapping[str, Any]
) -> Proposal:
    """Check edits made on top of `base`; raise `CatalogError` naming every bad value.

    Checking reuses the loaders themselves on the exact text that a save would write, so the
    page can never save a file that `recommender catalog validate` would refuse.
    """
    products_text = with_stock(base.products_text, in_stock)
    problems: list[str] = []
    catalog = None
    try:
        catalog = load_catalog_text(products_text)
        skus = set(catalog.skus)
    except CatalogError as error:
        problems += error.problems
        skus = set(load_catalog_text(base.products_text).skus)
    try:
        parse_weights(weights_data, set(load_rule_book().ids), skus, version="proposal")
    except CatalogError as error:
        problems += error.problems
    if problems or catalog is None:
        raise CatalogError(problems)
    return load_proposal(render_weights(weights_data), products_text, base.sizes_text)


def load_proposal(weights_text: str, products_text: str, sizes_text: str = "") -> Proposal:
    """Load the texts exactly as the engine would read them from disk."""
    with tempfile.TemporaryDirectory() as scratch:
        write_pair(Path(scratch), weights_text, products_text, sizes_text)
        catalog = load_catalog(Path(scratch))
        weights = load_weights(Path(scratch), load_rule_book().ids, catalog.skus)
    return Proposal(weights_text, products_text, catalog, weights, sizes_text)


def load_catalog_text(products_text: str) -> Catalog:
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / PRODUCTS_FILE).write_text(products_text, encoding="utf-8")
        return load_catalog(Path(scratch))


def with_stock(products_text: str, in_stock: Mapping[str, Any]) -> str:
    """`products_text` with the `in_stock` cells of the given SKUs replaced, the rest untouched."""
    rows = list(csv.reader(io.StringIO(products_text)))
    if not rows or "sku" not in rows[0] or "in_stock" not in rows[0]:
        return products_text  # load_catalog names the missing column
    sku_at, stock_at = rows[0].index("sku"), rows[0].index("in_stock")
    changed = False
    for row in rows[1:]:
        if len(row) > max(sku_at, stock_at) and row[sku_at] in in_stock:
            cell = _stock_cell(in_stock[row[sku_at]])
            changed |= cell != row[stock_at]
            row[stock_at] = cell
    if not changed:
        return products_text
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if "\r\n" in products_text else "\n").writerows(rows)
    return out.getvalue()


def _stock_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)  # anything else is refused by load_catalog, naming row and column


def save_proposal(
    directory: Path,
    proposal: Proposal,
    *,
    base_token: str,
    who: str,
    note: str = "",
    action: str = "save",
    restored_from: int | None = None,
) -> AuditEntry:
    """Write both files as a new version, unless they changed since `base_token` was taken.

    A disk that is full or read-only is reported naming RECOMMENDER_CATALOG, with nothing
    changed: the save is undone, or finished by `recover` on the next start.
    """
    directory = Path(directory)
    try:
        with locked(directory):
            recover_locked(directory)
            state = _read_state(directory)
            if state.token != base_token:
                raise StaleEditError(_stale_message(directory))
            if (proposal.weights_text, proposal.products_text, proposal.sizes_text) == (
                state.weights_text,
                state.products_text,
                state.sizes_text,
            ):
                raise InputError("nothing to save: the proposal is the same as the current files")
            entries = history(directory)
            if not entries:
                entries = (_record(directory, state, 1, BASELINE_WHO, "baseline", "", "", None),)
            version = next_version(directory, entries)
            diff = _diff(state, proposal, f"version {entries[-1].version}", f"version {version}")
            new_state = CatalogState(
                proposal.weights_text, proposal.products_text, proposal.sizes_text
            )
            return _record(
                directory, new_state, version, who, action, note, diff, restored_from, state
            )
    except OSError as error:
        raise InputError(
            f"setting RECOMMENDER_CATALOG ({directory}): cannot save there "
            f"({error.strerror or error}); nothing was changed"
        ) from None


def _record(
    directory: Path,
    state: CatalogState,
    version: int,
    who: str,
    action: str,
    note: str,
    diff: str,
    restored_from: int | None,
    previous: CatalogState | None = None,
) -> AuditEntry:
    entry = AuditEntry(version, _now(), who, action, note, diff, restored_from)
    before = previous or state
    commit(
        directory,
        entry,
        state.weights_text,
        state.products_text,
        (before.weights_text, before.products_text, before.sizes_text),
        state.sizes_text,
    )
    return entry


def version_state(directory: Path, version: int) -> CatalogState:
    folder = version_dir(Path(directory), version)
    if version not in {e.version for e in history(directory)} or not folder.is_dir():
        known = ", ".join(str(e.version) for e in history(directory)) or "none yet"
        raise InputError(f"no saved version {version} (saved versions: {known})")
    return _read_state(folder)


def rollback(
    directory: Path, *, who: str, to: int | None = None, base_token: str | None = None
) -> AuditEntry:
    """Restore version `to` (default: the one before the latest) as a new version."""
    entries = history(directory)
    if to is None:
        if len(entries) < 2:
            raise InputError("nothing to roll back to: fewer than two saved versions")
        to = entries[-2].version
    target = version_state(directory, to)
    state = current_state(directory)
    if base_token is None:
        base_token = state.token
    if target.token == state.token:
        raise InputError(f"the files already match version {to}; nothing to roll back")
    proposal = load_proposal(target.weights_text, target.products_text, target.sizes_text)
    note = f"rollback to version {to}"
    return save_proposal(
        directory,
        proposal,
        base_token=base_token,
        who=who,
        note=note,
        action="rollback",
        restored_from=to,
    )


def _stale_message(directory: Path) -> str:
    entries = history(directory)
    by = (
        f" (version {entries[-1].version}, by {entries[-1].who} at {entries[-1].at})"
        if entries
        else ""
    )
    return (
        f"the weights or stock changed since you opened them{by}; nothing was saved. "
        "Reload to see that change, then apply your edits again."
    )


def rollback_diff(directory: Path, to: int) -> str:
    """What rolling back to version `to` would change in the files as they are now."""
    target = version_state(directory, to)
    return _diff(current_state(directory), target, "now", f"version {to}")


def _diff(before: CatalogState, after: CatalogState | Proposal, old: str, new: str) -> str:
    lines: list[str] = []
    for name, old_text, new_text in (
        (WEIGHTS_FILE, before.weights_text, after.weights_text),
        (PRODUCTS_FILE, before.products_text, after.products_text),
        (SIZES_FILE, before.sizes_text, after.sizes_text),
    ):
        lines += difflib.unified_diff(
            old_text.splitlines(),
            new_text.splitlines(),
            f"{name} ({old})",
            f"{name} ({new})",
            lineterm="",
        )
    return "\n".join(lines)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
