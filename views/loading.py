"""The only place the app caches: the engine and the feedback store, built once per version."""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from recommender.catalog.pictures import card_thumbnail, picture_source
from recommender.errors import CatalogError, InputError
from recommender.feedback import FeedbackStore
from recommender.feedback.funnel import count_reached
from recommender.model.interleave_candidate import InterleaveCandidate, load_candidate
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shop import funnel
from recommender.shop.last_good import load_serving_engine
from recommender.shop.shopping import engine_key
from recommender.shopper.engine import Engine

if TYPE_CHECKING:  # the shopper page must not pay for importing training (scikit-learn)
    import pandas as pd

    from training.analytics import FeedbackFrames

logger = logging.getLogger(__name__)
NO_CATALOG = (
    "Our product list is being updated and cannot be shown right now. Please try again soon."
)
SETTINGS_REFUSED = "The finder cannot start: one of the shop's settings is refused."
# How long the analyst page reuses what it read from the store before it reads again.
FEEDBACK_TTL_SECONDS = 300


def settings() -> Settings:
    """The settings, read on every run (cheap, and tests point RECOMMENDER_DB elsewhere between
    runs). A bad setting stops the page with its name, as the command line refuses it."""
    try:
        return Settings.from_env()
    except InputError as error:
        logger.error("refused: %s", error)
        st.error(f"{SETTINGS_REFUSED} {error}", icon=":material/settings:")
        st.stop()


def engine(current: Settings) -> Engine:
    """The engine for shoppers; with no catalog to serve at all, a calm message and a stop.

    A refused file with a last good one to fall back on never gets here: see `served`.
    """
    try:
        return served(current)
    except CatalogError:
        logger.exception("no catalog to serve")
        st.error(NO_CATALOG, icon=":material/inventory_2:")
        st.stop()


def served(current: Settings) -> Engine:
    """The engine for the current catalog, weights and model; rebuilt only when they change."""
    return _engine(str(current.catalog_dir), engine_key(current.catalog_dir, current.models_dir))


@st.cache_resource(show_spinner="Loading the catalog...", max_entries=2)
def _engine(catalog_dir: str, version_key: str) -> Engine:
    # `version_key` is unused in the body: it is part of the cache key, so a changed file
    # (catalog, weights, a promoted model) makes a new entry instead of a stale engine.
    current = Settings.from_env()
    model, notices = resolve_model(current, None, rules_only=False)
    return load_serving_engine(
        Path(catalog_dir), model, tuple(notices), current.money, current.region
    )


def interleave_candidate(current: Settings) -> InterleaveCandidate | None:
    """The model named for interleaving, ready to rank with the current engine; None if none."""
    return _candidate(str(current.catalog_dir), _key(current))[0]


def interleave_notices(current: Settings) -> list[str]:
    """Why a named candidate is not interleaved (for staff, never for shoppers)."""
    return _candidate(str(current.catalog_dir), _key(current))[1]


def _key(current: Settings) -> str:
    return engine_key(current.catalog_dir, current.models_dir)


@st.cache_resource(show_spinner=False, max_entries=2)
def _candidate(catalog_dir: str, version_key: str) -> tuple[InterleaveCandidate | None, list[str]]:
    return load_candidate(Settings.from_env(), _engine(catalog_dir, version_key))


def picture_tag(source: str | Path, width: int, alt: str) -> str:
    """An <img> for st.html: one element on the page where st.image draws sixteen (its
    full-screen toolbar), which keeps a results page light for a phone. The file comes inline
    (a few kB, shrunk once by the cache); every attribute is escaped."""
    picture = card_picture(source, width * 2)  # twice the size: sharp on a phone's screen
    if isinstance(picture, bytes):
        picture = "data:image/png;base64," + base64.b64encode(picture).decode("ascii")
    return (
        f'<img src="{html.escape(picture, quote=True)}" alt="{html.escape(alt, quote=True)}" '
        f'width="{width}" style="max-width:100%;height:auto;border-radius:6px">'
    )


def card_picture(source: str | Path, width: int) -> str | bytes:
    """What a card's st.image shows: an address as it is, a file shrunk to the card once."""
    if isinstance(source, str):
        return source
    stat = source.stat()
    return _thumbnail(str(source), stat.st_mtime_ns, stat.st_size, width)


# cache_resource, not cache_data: bytes never change, so there is nothing to copy per rerun.
# The file's time and size are in the key, so a replaced picture is read again.
@st.cache_resource(show_spinner=False, max_entries=512)
def _thumbnail(path: str, mtime_ns: int, size: int, width: int) -> bytes:
    return card_thumbnail(Path(path), width)


def store_opener(current: Settings) -> Callable[[], FeedbackStore]:
    """A function opening the feedback store lazily, so a broken store never blocks results."""
    return lambda: _store(current.db_url)


@st.cache_resource(show_spinner=False, max_entries=4)
def _store(db_url: str) -> FeedbackStore:
    return FeedbackStore.open(db_url)


@st.cache_resource(show_spinner="Reading the feedback...", ttl=FEEDBACK_TTL_SECONDS, max_entries=2)
def feedback(db_url: str) -> FeedbackFrames:
    """The feedback tables for the analyst page; read once, not on every widget change."""
    from training.analytics import read_feedback

    return read_feedback(db_url)


@st.cache_resource(show_spinner=False, ttl=FEEDBACK_TTL_SECONDS, max_entries=2)
def interleaved_picks(db_url: str) -> pd.DataFrame:
    """Which team picked each product of the interleaved sessions, for the analyst page."""
    from recommender.feedback import read_picks

    with FeedbackStore.open(db_url) as store:
        return read_picks(store)


def product_names(current: Settings) -> dict[str, str]:
    """SKU to product name in the served catalog ({} when no catalog can be served): staff
    tables name products beside their SKUs."""
    try:
        products = served(current).catalog.products
    except CatalogError:
        return {}
    return dict(zip(products["sku"].astype(str), products["name"].astype(str), strict=True))


def count_stage(seen: set[str], stage: str) -> None:
    """Count a finder stage this shopper reached for the first time (the analyst's funnel)."""
    current = settings()
    opener = store_opener(current)
    funnel.reach(seen, stage, lambda name: count_reached(opener(), name))


def picture_cell(catalog_dir: Path, cell: str, width: int = 64) -> str:
    """A product picture for a grid cell: the catalog's address as it is, or the file (or the
    placeholder) shrunk once and written as a data URI, which a grid's image column can show."""
    shown = card_picture(picture_source(catalog_dir, cell), width)
    if isinstance(shown, str):
        return shown
    return "data:image/png;base64," + base64.b64encode(shown).decode("ascii")


def served_model(current: Settings) -> str:
    """The name of the ranker shoppers are served now ('rules-only' when no model is)."""
    return served(current).model_version
