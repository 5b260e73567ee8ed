"""Which model is promoted: the registry's small state file, readable without scikit-learn,
and the two ways to change it, promote and rollback.

Kept apart from `registry` so that serving can find out that nothing is promoted (the default
on a fresh machine) without importing LightGBM and scikit-learn.

`registry.json` is {"promoted": id or null, "history": [earlier ids or null]}. A file of any
other shape (hand-edited, half-restored from a backup) is refused with `ModelError`, which
serving turns into rules-only with a notice: a damaged state file never takes the shop down.

Promote and rollback read, change and rewrite the file under a lock (`.registry.lock`), and
write it whole through `recommender.files`: two analysts acting at once take turns, so neither
change is lost and no reader ever sees half a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from recommender.errors import InputError, ModelError
from recommender.files import UnreadableFile, locked, read_bounded, write_atomically
from recommender.model.cards import find_model

__all__ = [
    "STATE_FILE",
    "promoted_id",
    "promoted_or_notice",
    "read_state",
    "rollback",
    "set_promoted",
]

STATE_FILE = "registry.json"
LOCK_FILE = ".registry.lock"
# The real file is a few hundred bytes; the cap keeps a stray huge one from being parsed.
MAX_STATE_BYTES = 1024 * 1024


def read_state(models_dir: Path) -> dict[str, Any]:
    """The registry's state: the promoted model and the ones before it."""
    path = Path(models_dir) / STATE_FILE
    try:
        state = json.loads(read_bounded(path, MAX_STATE_BYTES))
    except UnreadableFile as error:
        if error.missing:
            return {"promoted": None, "history": []}
        raise ModelError(f"{path}: unreadable registry state ({error.problem})") from None
    except (ValueError, RecursionError) as error:  # ValueError: also JSON, UTF-8
        raise ModelError(f"{path}: unreadable registry state ({_why(error)})") from None
    return _checked(state, path)


def _checked(state: Any, path: Path) -> dict[str, Any]:
    if not isinstance(state, dict):
        raise ModelError(f"{path}: damaged registry state (expected an object, got {_kind(state)})")
    promoted, history = state.get("promoted"), state.get("history", [])
    if promoted is not None and not isinstance(promoted, str):
        raise ModelError(
            f"{path}: damaged registry state ('promoted' must be a model id or null, "
            f"got {_kind(promoted)})"
        )
    if not isinstance(history, list) or not all(
        item is None or isinstance(item, str) for item in history
    ):
        raise ModelError(f"{path}: damaged registry state ('history' must be a list of model ids)")
    return {"promoted": promoted, "history": list(history)}


def promoted_id(models_dir: Path) -> str | None:
    """The promoted model's id, or None (rules-only)."""
    return read_state(models_dir)["promoted"]


def promoted_or_notice(models_dir: Path) -> tuple[str | None, str | None]:
    """The promoted id, or (None, notice) when the state file is damaged: serve rules-only."""
    try:
        return promoted_id(models_dir), None
    except ModelError as error:
        return None, f"{error}; serving rules-only"


def set_promoted(models_dir: Path, model_id: str) -> str | None:
    """Serve `model_id` from now on; return the model it replaces (None = rules-only)."""
    find_model(models_dir, model_id)
    with locked(Path(models_dir) / LOCK_FILE):
        state = read_state(models_dir)
        previous = state["promoted"]
        if previous == model_id:
            return previous
        _write_state(models_dir, model_id, [*state["history"], previous])
    return previous


def rollback(models_dir: Path) -> str | None:
    """Go back to the model promoted before the current one (None = rules-only)."""
    with locked(Path(models_dir) / LOCK_FILE):
        state = read_state(models_dir)
        if not state["history"]:
            raise InputError(
                "nothing to roll back to: no model was promoted before the current one"
            )
        *history, previous = state["history"]
        _write_state(models_dir, previous, history)
    return previous


def _write_state(models_dir: Path, promoted: str | None, history: list[str | None]) -> None:
    state = {"promoted": promoted, "history": history}
    write_atomically(
        Path(models_dir) / STATE_FILE, json.dumps(state, indent=2, sort_keys=True) + "\n"
    )


def _why(error: BaseException) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return str(error)[:200]


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )
