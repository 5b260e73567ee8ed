"""Serving keeps going on a bad file: the last good catalog and weights stay in force (SPEC 3).

A merchandiser's hand edit can break `weights.toml` or `products.csv` while shoppers are being
served. The file is refused whole, as validation says, but shoppers keep getting results from
the last catalog and weights that loaded, and staff get a notice naming the problem:

- in a running process (the app, a future API) the last good pair is kept in memory;
- on a fresh start with no last good pair, the newest saved version in `.history` is served, or
  for weights with no saved version either, the documented defaults.

Notices begin with `CATALOG_NOTICE` so that pages can tell them from a refused model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from recommender.catalog.money import PLAIN, Money
from recommender.catalog.products import PRODUCTS_FILE, Catalog, load_catalog
from recommender.catalog.validation import CATALOG_NOTICE
from recommender.catalog.weights import WEIGHTS_FILE, Weights, load_weights
from recommender.errors import CatalogError
from recommender.merchandising.history import history, recover, version_dir
from recommender.shopper.engine import Engine, build_engine
from recommender.shopper.ranker import Ranker
from recommender.shopper.region import Region
from recommender.shopper.rules import load_rule_book


@dataclass(frozen=True)
class _Good:
    catalog: Catalog
    weights: Weights


# One last good pair per catalog folder, for the life of the process.
_KEPT: dict[Path, _Good] = {}
_KEPT_LOCK = threading.Lock()


def load_serving_engine(
    catalog_dir: Path,
    model: Ranker | None = None,
    notices: tuple[str, ...] = (),
    money: Money = PLAIN,
    region: Region | None = None,
) -> Engine:
    """The engine for shoppers: the files on disk, or the last good ones with a staff notice.

    Raises `CatalogError` only when there is no catalog to serve at all (a fresh start with a
    broken products.csv and no saved version), since no product can be shown then.
    """
    directory = Path(catalog_dir).resolve()
    found: list[str] = []
    try:
        recover(directory)  # a save a crash interrupted is finished or undone first
    except OSError as error:
        found.append(f"an interrupted save could not be finished ({error.strerror})")
    with _KEPT_LOCK:
        kept = _KEPT.get(directory)
    rule_ids = load_rule_book().ids
    catalog = _catalog(directory, kept, found)
    weights = _weights(directory, catalog, rule_ids, kept, found)
    if not found:
        with _KEPT_LOCK:
            _KEPT[directory] = _Good(catalog, weights)
    staff = tuple(CATALOG_NOTICE + problem for problem in found)
    return build_engine(catalog, weights, model, (*notices, *staff), money, region)


def _catalog(directory: Path, kept: _Good | None, found: list[str]) -> Catalog:
    try:
        return load_catalog(directory)
    except CatalogError as error:
        problem = f"{PRODUCTS_FILE} is refused ({_first(error)})"
        if kept is not None:
            found.append(f"{problem}; still serving the last good catalog")
            return kept.catalog
        saved = _newest_saved(directory, load_catalog)
        if saved is None:
            raise
        version, catalog = saved
        found.append(f"{problem}; serving saved version {version} of the catalog")
        return catalog


def _weights(
    directory: Path, catalog: Catalog, rule_ids, kept: _Good | None, found: list[str]
) -> Weights:
    try:
        return load_weights(directory, rule_ids, catalog.skus)
    except CatalogError as error:
        problem = f"{WEIGHTS_FILE} is refused ({_first(error)})"
    if kept is not None:
        found.append(f"{problem}; still serving the last good weights")
        return kept.weights
    saved = _newest_saved(directory, lambda folder: load_weights(folder, rule_ids, catalog.skus))
    if saved is not None:
        version, weights = saved
        found.append(f"{problem}; serving saved version {version} of the weights")
        return weights
    found.append(f"{problem}; serving the default weights")
    return Weights()


def _newest_saved(directory: Path, load):
    """(version, what `load` makes of it) for the newest saved version that loads, or None."""
    for entry in reversed(history(directory)):
        try:
            return entry.version, load(version_dir(directory, entry.version))
        except CatalogError:
            continue
    return None


def _first(error: CatalogError) -> str:
    more = len(error.problems) - 1
    return error.problems[0] + (f"; and {more} more" if more > 0 else "")


def forget_last_good() -> None:
    """Drop every kept pair (tests use it to stand for a fresh start)."""
    with _KEPT_LOCK:
        _KEPT.clear()
