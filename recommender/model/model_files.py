"""Model files in the registry: saving a trained model, taking one in, and loading one only
after its bytes match the registry's record (`recommender.model.records`).

No model text is recorded before it passed the model check (`check_files`): the pure-Python
structural check (`model_text_check`), then a load and a test prediction in a separate process
with limits on memory, CPU and wall time (`model_probe`). The pass is kept in the registry's
record; serving needs it, repeats the cheap structural check on the bytes it is about to parse,
and never runs the separate process per request.

A model is built in a `.staging-<pid>-` folder and renamed into place once whole, so a run
killed half-way leaves no half model. LightGBM is imported only when a model is parsed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recommender.errors import InputError, ModelError
from recommender.faults import checkpoint
from recommender.files import write_atomically
from recommender.model import records as model_records
from recommender.model.cards import (
    CARD_FILE,
    MODEL_FILE,
    MODEL_FILES,
    MODEL_STATE_FILE,
    ModelCard,
    read_card_data,
)
from recommender.model.model_probe import probe_model_text
from recommender.model.model_text_check import check_model_text

if TYPE_CHECKING:
    from recommender.model.learned import LambdaRanker
    from recommender.model.served import LearnedReranker, ServedModel

__all__ = [
    "check_files",
    "clean_staging",
    "file_problem",
    "import_model",
    "library_versions",
    "load_verified",
    "recheck_model",
    "recorded_synthetic_sessions",
    "save_model",
]

STAGING_PREFIX = ".staging-"
STALE_STAGING_SECONDS = 3600


def library_versions() -> dict[str, str]:
    """The versions a model was trained with, for its card (read without importing them)."""
    found = {"python": ".".join(platform.python_version_tuple()[:2])}
    for name in ("lightgbm", "scikit-learn", "numpy", "pandas"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def save_model(
    models_dir: Path, estimator: LambdaRanker, card: dict[str, Any], source: str = "trained"
) -> ModelCard:
    """Write the model files and card into a new folder and record their hashes.

    The folder is built under a `.staging-<pid>-` name and renamed into place once whole; a
    staging folder left by a killed run is removed here.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    clean_staging(models_dir)
    synthetic = int(card.get("synthetic_sessions", 0))
    state = {**estimator.saved_state(), "training": {"synthetic_sessions": synthetic}}
    files = {
        MODEL_FILE: estimator.model_text().encode("utf-8"),
        MODEL_STATE_FILE: (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8"),
    }
    passed = check_files(files, "the trained model")
    return _store(models_dir, files, card, synthetic, source, passed)


def import_model(models_dir: Path, reference: str) -> ModelCard:
    """Take a model folder from outside the registry in, after checking it is a real model.

    Copies model.txt and model.json (and the card's metadata) into a new registry folder and
    records their hashes: from then on it is served and verified like a trained one.
    InputError naming the path when it is not a model this version can read.
    """
    path = Path(reference)
    folder = path.parent if path.is_file() else path
    if not folder.is_dir():
        raise InputError(f"model '{reference}': no such folder")
    try:
        files = {name: model_records.read_bounded(folder / name) for name in MODEL_FILES}
        # Checked before LightGBM parses a byte of it in this process.
        passed = check_files(files, str(folder))
        _, synthetic = _parse(files, str(folder))
    except ModelError as error:
        raise InputError(f"cannot import '{reference}': {error}") from None
    card = read_card_data(folder) or {}
    card = {
        **card,
        "created": card.get("created") or datetime.now(UTC).isoformat(timespec="seconds"),
        "imported_from": str(folder.resolve()),
        "synthetic_sessions": synthetic,
    }
    models_dir.mkdir(parents=True, exist_ok=True)
    clean_staging(models_dir)
    source = f"imported from {folder.resolve()}"
    return _store(models_dir, files, card, synthetic, source, passed)


def check_files(files: dict[str, bytes], what: str) -> dict[str, Any]:
    """The model check: the text's structure in pure Python, then a load and a finite test
    prediction in a separate limited process. The pass to record; ModelError naming `what`
    and the problem otherwise."""
    names = _booster_feature_names()
    text = _model_text(files, what)
    try:
        check_model_text(text, names)
    except ModelError as error:
        raise ModelError(f"{what}: {error}") from None
    report = probe_model_text(text, len(names), f"{what}: {MODEL_FILE}")
    return {"passed": datetime.now(UTC).isoformat(timespec="seconds"), **report}


def recheck_model(card: ModelCard) -> dict[str, Any]:
    """Run the model check again on a registered model's verified files and record the pass
    (`models promote` does, so a model recorded before the check existed, or under another
    LightGBM, is checked before it serves). ModelError when it fails."""
    models_dir = card.folder.parent
    files = model_records.verified_bytes(models_dir, card.model_id, card.folder, MODEL_FILES)
    passed = check_files(files, f"model '{card.model_id}'")
    model_records.record_check(models_dir, card.model_id, passed)
    return passed


def _store(
    models_dir: Path,
    files: dict[str, bytes],
    card: dict[str, Any],
    synthetic: int,
    source: str,
    passed: dict[str, Any],
) -> ModelCard:
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=models_dir))
    digests = {}
    for name, data in files.items():
        (staging / name).write_bytes(data)
        digests[name] = model_records.sha256_bytes(data)
    stamp = str(card["created"]).replace("-", "").replace(":", "")[:15]
    model_id = _free_id(models_dir, f"m{stamp}-{digests[MODEL_FILE][:8]}")
    full = {**card, "id": model_id, "sha256": digests, "versions": library_versions()}
    write_atomically(staging / CARD_FILE, _json_text(full))
    checkpoint("train.staged")
    # Recorded before it goes live: a run killed in between leaves a record of no folder
    # (harmless), never a live folder the registry does not vouch for.
    model_records.record_model(models_dir, model_id, digests, synthetic, source, passed)
    checkpoint("train.recorded")
    os.replace(staging, models_dir / model_id)
    return ModelCard(full, models_dir / model_id)


def clean_staging(models_dir: Path) -> list[str]:
    """Remove staging folders whose run is over (killed or crashed); names what it removed."""
    removed = []
    for folder in models_dir.glob(f"{STAGING_PREFIX}*"):
        if folder.is_dir() and not _staging_in_use(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


def _staging_in_use(folder: Path) -> bool:
    pid_text = folder.name[len(STAGING_PREFIX) :].split("-", 1)[0]
    if pid_text.isdigit() and int(pid_text) != os.getpid():
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            return False
        except (PermissionError, OverflowError):
            pass  # another user's live process, or no such pid at all: decide by age
        else:
            return True
    try:
        return time.time() - folder.stat().st_mtime < STALE_STAGING_SECONDS
    except OSError:
        return False


def file_problem(card: ModelCard) -> str | None:
    """Why the model files may not be loaded (unrecorded, missing, changed), or None.

    Reads and hashes the files; never parses them.
    """
    try:
        model_records.verified_bytes(card.folder.parent, card.model_id, card.folder, MODEL_FILES)
        _require_pass(card)
    except ModelError as error:
        return str(error)
    return None


def recorded_synthetic_sessions(card: ModelCard) -> int:
    """How many synthetic sessions trained the model, from the registry's record."""
    try:
        record = model_records.read_records(card.folder.parent).get(card.model_id, {})
    except ModelError:
        return 0
    value = record.get("synthetic_sessions", 0)
    return value if isinstance(value, int) else 0


def load_verified(card: ModelCard) -> LearnedReranker:
    """The model, parsed only after its files' bytes match the registry's record."""
    files = model_records.verified_bytes(
        card.folder.parent, card.model_id, card.folder, MODEL_FILES
    )
    what = f"model '{card.model_id}'"
    # The bytes about to be parsed pass the structural check again (milliseconds): a record
    # forged by hand cannot vouch for a text LightGBM would crash or loop on.
    try:
        check_model_text(_model_text(files, what), _booster_feature_names())
    except ModelError as error:
        raise ModelError(f"{what}: {error}") from None
    _require_pass(card)
    estimator, synthetic = _parse(files, what)
    from recommender.model.served import LearnedReranker

    return LearnedReranker(card.model_id, estimator, synthetic)


def _require_pass(card: ModelCard) -> None:
    passed = model_records.read_records(card.folder.parent).get(card.model_id, {}).get("checked")
    if not isinstance(passed, dict) or not passed.get("passed"):
        raise ModelError(
            f"model '{card.model_id}' has not passed the model check (recorded before it "
            f"existed, or never checked); `recommender models promote {card.model_id}` runs it"
        )


def _booster_feature_names() -> list[str]:
    # Imported here: features loads pandas, which listing models does not need.
    from recommender.model.features import MODEL_COLUMNS

    return [name.replace(":", "__") for name in MODEL_COLUMNS]


def _model_text(files: dict[str, bytes], what: str) -> str:
    try:
        return files[MODEL_FILE].decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{what}: {MODEL_FILE} is not a LightGBM model text (not UTF-8)") from None


def _parse(files: dict[str, bytes], what: str) -> tuple[ServedModel, int]:
    # Imported here: listing and checking models needs no LightGBM. Serving reads the booster
    # through LightGBM's C library alone: its Python package would load scikit-learn and SciPy.
    from recommender.model.served import ServedModel

    text = _model_text(files, what)
    try:
        state = json.loads(files[MODEL_STATE_FILE])
    except (ValueError, RecursionError):
        raise ModelError(f"{what}: {MODEL_STATE_FILE} is not a JSON document") from None
    if not isinstance(state, dict):
        raise ModelError(f"{what}: {MODEL_STATE_FILE} must hold a JSON object")
    training = state.pop("training", {})
    synthetic = training.get("synthetic_sessions", 0) if isinstance(training, dict) else None
    if not isinstance(synthetic, int) or synthetic < 0:
        raise ModelError(f"{what}: {MODEL_STATE_FILE} training.synthetic_sessions must be >= 0")
    try:
        return ServedModel.from_saved(text, state), synthetic
    except (ValueError, TypeError, ModelError) as error:
        raise ModelError(f"{what}: cannot be loaded ({error})") from None


def _free_id(models_dir: Path, wanted: str) -> str:
    candidate, suffix = wanted, 1
    while (models_dir / candidate).exists():
        suffix += 1
        candidate = f"{wanted}-{suffix}"
    return candidate


def _json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, default=str) + "\n"
