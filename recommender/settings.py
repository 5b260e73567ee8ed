"""Settings from the environment, each with a default that works on a fresh machine."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from recommender.catalog.cart import CART_SETTING, cart_setting
from recommender.catalog.money import PLAIN, Money, money_setting
from recommender.errors import InputError

DEFAULT_EXPLORE_SHARE = 0.05
DEFAULT_RETENTION_DAYS = 730
MAX_RETENTION_DAYS = 36500  # a century: anything longer is a typo, and past dates overflow


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the catalog, feedback store and models live, and the store's policies."""

    db_url: str
    catalog_dir: Path
    models_dir: Path
    explore_share: float = DEFAULT_EXPLORE_SHARE
    retention_days: int = DEFAULT_RETENTION_DAYS
    money: Money = PLAIN  # RECOMMENDER_CURRENCY and RECOMMENDER_LOCALE
    cart_url: str | None = None  # RECOMMENDER_CART_URL: the shop's cart, with {sku} in it

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> Settings:
        env = os.environ if environ is None else environ
        base = Path.cwd() if cwd is None else cwd
        default_db = f"sqlite:///{(base / 'var' / 'recommender.db').as_posix()}"
        return cls(
            db_url=env.get("RECOMMENDER_DB") or default_db,
            catalog_dir=Path(env.get("RECOMMENDER_CATALOG") or base / "catalog"),
            models_dir=Path(env.get("RECOMMENDER_MODELS") or base / "var" / "models"),
            explore_share=_number(env, "RECOMMENDER_EXPLORE_SHARE", DEFAULT_EXPLORE_SHARE, 0, 1),
            retention_days=int(
                _number(
                    env, "RECOMMENDER_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1, MAX_RETENTION_DAYS
                )
            ),
            money=money_setting(env.get("RECOMMENDER_CURRENCY"), env.get("RECOMMENDER_LOCALE")),
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
