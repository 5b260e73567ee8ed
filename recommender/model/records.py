"""The registry's own record of every model it holds: the sha256 of each model file.

`<models_dir>/records.json` is written only by the registry itself, when `recommender train`
saves a model or `recommender models import` takes one in:

    {"models": {"<model id>": {"files": {"model.txt": sha256, "model.json": sha256},
                               "synthetic_sessions": 0, "registered": time, "source": "..."}}}

`"checked"` in a record is the model check's pass (`recommender.model.model_files.check_files`):
when, under which LightGBM, how many trees. A model without one is not served.

A model file is read as bytes, hashed and compared with this record before a byte of it is
parsed; a hash kept in the card beside the file proves only that the two were edited together.
Writes take a lock and replace the file whole, so two trains finishing at once both stay
recorded. No scikit-learn or LightGBM here: listing and checking models never loads a model.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from recommender import files
from recommender.errors import ModelError
from recommender.files import locked, write_atomically

RECORDS_FILE = "records.json"
LOCK_FILE = ".records.lock"
MAX_RECORDS_BYTES = 16 << 20
# A model text of 200 trees of 15 leaves is well under 1 MB; 64 MB leaves room for far more.
MAX_MODEL_BYTES = 64 << 20


def read_records(models_dir: Path) -> dict[str, dict[str, Any]]:
    """Model id -> its record; {} when nothing was ever recorded. ModelError when damaged."""
    path = models_dir / RECORDS_FILE
    try:
        raw = files.read_bounded(path, MAX_RECORDS_BYTES)
    except files.UnreadableFile as error:
        if error.missing:
            return {}
        if error.too_large:
            raise ModelError(
                f"{path}: model records larger than {MAX_RECORDS_BYTES >> 20} MB"
            ) from None
        raise ModelError(f"{path}: unreadable model records ({error.problem})") from None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ModelError(f"{path}: damaged model records (not JSON)") from None
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, dict) or not all(isinstance(r, dict) for r in models.values()):
        raise ModelError(f"{path}: damaged model records (no models object)")
    return models


def record_model(
    models_dir: Path,
    model_id: str,
    digests: dict[str, str],
    synthetic: int,
    source: str,
    checked: dict[str, Any] | None = None,
) -> None:
    """Record a model's file hashes (and how many synthetic sessions trained it), with the
    model check's pass (`checked`; serving refuses a model without one)."""
    entry = {
        "files": dict(digests),
        "synthetic_sessions": int(synthetic),
        "registered": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": source,
    }
    if checked is not None:
        entry["checked"] = dict(checked)
    _write_entry(models_dir, model_id, lambda _: entry)


def record_check(models_dir: Path, model_id: str, checked: dict[str, Any]) -> None:
    """Record that a recorded model passed the model check again (its hashes stay)."""
    _write_entry(models_dir, model_id, lambda old: {**(old or {}), "checked": dict(checked)})


def _write_entry(models_dir: Path, model_id: str, change: Callable[[dict | None], dict]) -> None:
    with locked(models_dir / LOCK_FILE):
        try:
            models = read_records(models_dir)
        except ModelError:
            models = {}  # a damaged file vouches for nothing; the new record starts it again
        models[model_id] = change(models.get(model_id))
        text = json.dumps({"models": models}, indent=2, sort_keys=True) + "\n"
        write_atomically(models_dir / RECORDS_FILE, text)


def read_bounded(path: Path, limit: int = MAX_MODEL_BYTES) -> bytes:
    """A file's bytes; ModelError naming it when it is missing, unreadable or over `limit`."""
    try:
        return files.read_bounded(path, limit)
    except files.UnreadableFile as refused:
        if refused.missing:
            raise ModelError(f"{path} is missing") from None
        if refused.too_large:
            raise ModelError(f"{path} is larger than {limit >> 20} MB") from None
        raise ModelError(str(refused)) from None


def sha256_bytes(data: bytes) -> str:
    """The sha256 of `data`, as hex."""
    return hashlib.sha256(data).hexdigest()


def verified_bytes(models_dir: Path, model_id: str, folder: Path, names: tuple[str, ...]) -> dict:
    """Each named file's bytes, once its sha256 matches the registry's record: the bytes that
    were checked are the bytes returned, so a file swapped after the check is never parsed."""
    record = read_records(models_dir).get(model_id)
    if record is None or not isinstance(record.get("files"), dict):
        raise ModelError(
            f"model '{model_id}' is not recorded in the registry ({models_dir / RECORDS_FILE}); "
            "only models saved by `recommender train` or taken in by `recommender models "
            "import` are loaded"
        )
    found = {}
    for name in names:
        data = read_bounded(folder / name)
        if sha256_bytes(data) != record["files"].get(name):
            raise ModelError(
                f"model '{model_id}': {name} does not match the sha256 the registry recorded "
                "(changed or damaged since it was saved)"
            )
        found[name] = data
    return found
