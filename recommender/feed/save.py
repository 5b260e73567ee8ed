"""Writing an imported catalog: into a folder, or as a new version of the live catalog.

The live catalog goes through the same journalled, versioned save as a merchandiser's weights
edit (`recommender.merchandising.weights_store`), so an import shows in `weights history` and on the
Merchandising page, and `weights rollback` undoes it like any other save.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recommender.catalog.products import PRODUCTS_FILE, parse_catalog
from recommender.errors import CatalogError, InputError
from recommender.feed.build import BuiltCatalog
from recommender.feed.changes import FeedChanges, FeedLimits, compare_catalogs
from recommender.files import write_atomically
from recommender.merchandising.history import SIZES_FILE
from recommender.merchandising.proposals import current_state, load_proposal
from recommender.merchandising.weights_store import save_proposal

DEFAULT_LIMITS = FeedLimits()  # the documented defaults


@dataclass(frozen=True)
class Saved:
    """What an import saved: whether anything changed, and the version it made."""

    changed: bool
    version: int | None = None  # the new catalog version, when saved into the live catalog
    changes: FeedChanges | None = None  # against the live catalog (None with --out)
    accepted: tuple[str, ...] = ()  # changes that needed --accept-changes and were accepted


class FeedChangesRefused(InputError):
    """The import would make changes a person must accept (exit 2); nothing was written."""

    def __init__(self, changes: FeedChanges, refused: list[str]) -> None:
        super().__init__(
            "\n".join(
                [
                    f"the feed would make {len(refused)} change(s) that need --accept-changes; "
                    "nothing was saved:",
                    *(f"  - {reason}" for reason in refused),
                    "what the feed changes against the live catalog:",
                    *(f"  - {line}" for line in changes.report()),
                    "check the feed; if these changes are meant, run again with --accept-changes",
                ]
            )
        )
        self.changes = changes
        self.refused = tuple(refused)


def check_complete(built: BuiltCatalog) -> list[str]:
    """What `catalog validate` would say of the products (fewer than 40, a category missing)."""
    try:
        parse_catalog(built.products_text.encode("utf-8"), complete=True)
    except CatalogError as error:
        return error.problems
    return []


def write_folder(folder: Path, built: BuiltCatalog) -> Saved:
    """Write products.csv and sizes.csv into `folder`, each replaced whole or not at all."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {folder}: is a file, expected a folder")
    files = ((folder / PRODUCTS_FILE, built.products_text), (folder / SIZES_FILE, built.sizes_text))
    if all(_text(path) == text for path, text in files):
        return Saved(changed=False)
    try:
        for path, text in files:
            write_atomically(path, text)
    except OSError as error:
        raise InputError(
            f"--out {folder}: cannot write there ({error.strerror or error})"
        ) from None
    return Saved(changed=True)


def save_version(
    directory: Path,
    built: BuiltCatalog,
    *,
    who: str,
    note: str,
    limits: FeedLimits = DEFAULT_LIMITS,
    accept_changes: bool = False,
) -> Saved:
    """Save as a new catalog version; the same files again save nothing (no new version).

    The current weights.toml is kept, and checked against the new products: a boost naming a
    product the feed no longer has is refused, with nothing changed. The changes against the
    live products are compared first; any that `FeedChanges.refusals` names raise
    `FeedChangesRefused` unless `accept_changes`, and accepted ones go into the version's note
    (and so its audit line).
    """
    state = current_state(directory)
    changes = compare_catalogs(state.products_text, built.products_text)
    if (state.products_text, state.sizes_text) == (built.products_text, built.sizes_text):
        return Saved(changed=False, changes=changes)
    try:
        proposal = load_proposal(state.weights_text, built.products_text, built.sizes_text)
    except CatalogError as error:
        raise CatalogError(
            [f"the feed's products do not fit the live catalog: {p}" for p in error.problems]
        ) from None
    refused = changes.refusals(limits)
    if refused and not accept_changes:
        raise FeedChangesRefused(changes, refused)
    if refused:
        note = f"{note}; changes accepted with --accept-changes by {who}: {'; '.join(refused)}"
    entry = save_proposal(
        directory, proposal, base_token=state.token, who=who, note=note, action="import"
    )
    return Saved(changed=True, version=entry.version, changes=changes, accepted=tuple(refused))


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def import_feed(
    feed: Path,
    mapping_path: Path,
    *,
    catalog_dir: Path,
    out: Path | None,
    who: str,
    limits: FeedLimits = DEFAULT_LIMITS,
    accept_changes: bool = False,
) -> tuple[BuiltCatalog, Saved]:
    """Read, map and write a feed; nothing is written unless every item maps, and nothing
    into the live catalog when it would make a change that needs `accept_changes`."""
    from recommender.feed.build import build_catalog
    from recommender.feed.formats import read_feed
    from recommender.feed.mapping import load_mapping

    mapping = load_mapping(mapping_path)  # a bad mapping is named before the feed is read
    built = build_catalog(read_feed(feed), mapping, Path(feed).name)
    if out is not None:
        return built, write_folder(out, built)
    if not Path(catalog_dir).is_dir():
        raise InputError(f"setting RECOMMENDER_CATALOG ({catalog_dir}): not a folder")
    incomplete = check_complete(built)
    if incomplete:  # the live catalog must pass `catalog validate`; a folder (--out) may not
        raise CatalogError([f"the feed cannot replace the live catalog: {p}" for p in incomplete])
    note = f"imported {Path(feed).name}: {built.products} products, {built.size_rows} sizes"
    saved = save_version(
        catalog_dir, built, who=who, note=note, limits=limits, accept_changes=accept_changes
    )
    return built, saved
