"""Saving merchandisers' edits to weights.toml and stock: checked, atomic, versioned, audited.

Everything lives beside the files it guards (see `catalog_history`), so a RECOMMENDER_CATALOG
pointing elsewhere keeps its own history. A save is one unit: recorded before it goes live, and
finished or undone on the next start if a crash interrupts it (`history`, the journal).

An editor opens with a `token` (a hash of both files, `proposals.CatalogState`); a save made
from a stale token is refused, so the second of two merchandisers learns of the first one's
change instead of silently overwriting it. A rollback is itself a new version, so it can be
undone too.
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from pathlib import Path

from recommender.catalog.products import PRODUCTS_FILE
from recommender.catalog.weights import WEIGHTS_FILE
from recommender.errors import InputError
from recommender.merchandising.history import (
    SIZES_FILE,
    AuditEntry,
    commit,
    history,
    locked,
    next_version,
    recover_locked,
    version_dir,
)
from recommender.merchandising.proposals import (
    CatalogState,
    Proposal,
    current_state,
    load_proposal,
    read_state,
)

BASELINE_WHO = "(files as found before the first save)"


class StaleEditError(InputError):
    """The files changed on disk since the editor opened them; nothing was written."""


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
            state = read_state(directory)
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
    """The files of saved version `version`."""
    folder = version_dir(Path(directory), version)
    if version not in {e.version for e in history(directory)} or not folder.is_dir():
        known = ", ".join(str(e.version) for e in history(directory)) or "none yet"
        raise InputError(f"no saved version {version} (saved versions: {known})")
    return read_state(folder)


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


PROMOTION_WHO = "analyst (models promote)"
PROMOTION_ACTION = "promotion"


def propose_model_weight(directory: Path, weight: float, *, why: str) -> AuditEntry | None:
    """Save `[blend] model = weight` as a new version, "proposed by the analyst's promotion",
    kept or rolled back like any save; None when the weight is already in force."""
    import tomllib

    from recommender.merchandising.proposals import propose

    state = current_state(directory)
    data = tomllib.loads(state.weights_text)
    if float(data.get("blend", {}).get("model", -1.0)) == float(weight):
        return None
    data.setdefault("blend", {})["model"] = float(weight)
    proposal = propose(state, data, {})
    note = f"proposed by the analyst's promotion: {why}"
    return save_proposal(
        directory,
        proposal,
        base_token=state.token,
        who=PROMOTION_WHO,
        note=note,
        action=PROMOTION_ACTION,
    )
