"""Settings from the environment, each with a default that works on a fresh machine."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from recommender.catalog.cart import CART_SETTING, cart_setting
from recommender.catalog.money import PLAIN, Money, money_setting
from recommender.errors import InputError
from recommender.shopper.region import REGION_SETTING, Region, region_for

DEFAULT_EXPLORE_SHARE = 0.05
# An explore session reorders the served ranking's best N (recommender.feedback.policy): at
# least the 5 a page shows; at most 12, as each position's exact chance is a sum over the
# 2 ** N subsets of products placed before it.
DEFAULT_EXPLORE_TOP_N = 10
EXPLORE_TOP_N_RANGE = (5, 12)
DEFAULT_RETENTION_DAYS = 730
MAX_RETENTION_DAYS = 36500  # a century: anything longer is a typo, and past dates overflow
# A feed import that removes more than this share of the live products, or drops more than this
# share of prices below half, needs --accept-changes (recommender.feed.changes).
DEFAULT_FEED_MAX_REMOVED_SHARE = 0.10
DEFAULT_FEED_MAX_PRICE_DROP_SHARE = 0.10


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the catalog, feedback store and models live, and the store's policies."""

    db_url: str
    catalog_dir: Path
    models_dir: Path
    explore_share: float = DEFAULT_EXPLORE_SHARE
    explore_top_n: int = DEFAULT_EXPLORE_TOP_N
    retention_days: int = DEFAULT_RETENTION_DAYS
    money: Money = PLAIN  # RECOMMENDER_CURRENCY and RECOMMENDER_LOCALE
    # RECOMMENDER_REGION: the emergency number and care words of every message (default GB).
    region: Region = field(default_factory=lambda: region_for(None))
    feed_max_removed_share: float = DEFAULT_FEED_MAX_REMOVED_SHARE
    feed_max_price_drop_share: float = DEFAULT_FEED_MAX_PRICE_DROP_SHARE
    cart_url: str | None = None  # RECOMMENDER_CART_URL: the shop's cart, with {sku} in it

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> Settings:
        """The settings from `environ` (default the process's), relative paths from `cwd`."""
        env = os.environ if environ is None else environ
        base = Path.cwd() if cwd is None else cwd
        default_db = f"sqlite:///{(base / 'var' / 'recommender.db').as_posix()}"
        return cls(
            db_url=env.get("RECOMMENDER_DB") or default_db,
            catalog_dir=Path(env.get("RECOMMENDER_CATALOG") or base / "catalog"),
            models_dir=Path(env.get("RECOMMENDER_MODELS") or base / "var" / "models"),
            explore_share=_number(env, "RECOMMENDER_EXPLORE_SHARE", DEFAULT_EXPLORE_SHARE, 0, 1),
            explore_top_n=_whole(env, "RECOMMENDER_EXPLORE_TOP_N", DEFAULT_EXPLORE_TOP_N),
            retention_days=int(
                _number(
                    env, "RECOMMENDER_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, MAX_RETENTION_DAYS
                )
            ),
            money=money_setting(env.get("RECOMMENDER_CURRENCY"), env.get("RECOMMENDER_LOCALE")),
            region=region_for(env.get(REGION_SETTING)),
            feed_max_removed_share=_number(
                env, "RECOMMENDER_FEED_MAX_REMOVED_SHARE", DEFAULT_FEED_MAX_REMOVED_SHARE, 0, 1
            ),
            feed_max_price_drop_share=_number(
                env,
                "RECOMMENDER_FEED_MAX_PRICE_DROP_SHARE",
                DEFAULT_FEED_MAX_PRICE_DROP_SHARE,
                0,
                1,
            ),
            cart_url=cart_setting(env.get(CART_SETTING)),
        )


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"setting {name}: '{raw}' is not a number") from None
    if not low <= value <= high:
        raise InputError(f"setting {name}: {value:g} is outside {low:g} to {high:g}")
    return value


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    low, high = EXPLORE_TOP_N_RANGE
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise InputError(f"setting {name}: '{raw}' is not a whole number from {low} to {high}")
    return int(raw)


def writable_folder(path: Path, setting: str) -> Path:
    """`path` as a folder this process can write into (made if missing), checked before work.

    A long command (train) finds out at the start, not at the end, that its setting points at
    a file or a read-only place, and the message names the setting to fix.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"setting {setting} ({path}): is a file, expected a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise InputError(
            f"setting {setting} ({path}): cannot write there ({error.strerror or error})"
        ) from None
    return path
