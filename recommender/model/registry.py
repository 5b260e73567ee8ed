"""The model registry under RECOMMENDER_MODELS: model files, their cards, and which one serves.

Layout:

    <models_dir>/<model id>/model.txt    LightGBM's own model text (trees and numbers only)
    <models_dir>/<model id>/model.json   our state: features, sku vocabulary, parameters, and
                                         how many training sessions were synthetic
    <models_dir>/<model id>/card.json    id, created, data range and size, features, metrics,
                                         library versions, seed, sha256 of the files, trust
    <models_dir>/records.json            the registry's record of every model's sha256
                                         (`recommender.model.records`)
    <models_dir>/registry.json           {"promoted": id or null, "history": [earlier ids]}

Neither model file can run code when read: no pickle is ever loaded. Before a model is parsed,
its files' bytes are checked against the registry's record (not the card beside them); a model
the registry did not save or import, a changed file, or a path outside RECOMMENDER_MODELS is
refused, and serving falls back to rules-only with a notice. A card marked untrusted is never
served either. Listing models reads cards and hashes only and never loads LightGBM.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recommender.errors import InputError, ModelError
from recommender.faults import checkpoint
from recommender.model import records as model_records
from recommender.model.promotion import STATE_FILE, promoted_id, read_state
from recommender.model.ranker import Ranker
from recommender.settings import Settings

if TYPE_CHECKING:
    from recommender.model.learned import LambdaRanker, LearnedReranker

MODEL_FILE = "model.txt"
MODEL_STATE_FILE = "model.json"
MODEL_FILES = (MODEL_FILE, MODEL_STATE_FILE)
CARD_FILE = "card.json"
MAX_CARD_BYTES = 1 << 20
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


@dataclass(frozen=True)
class ModelCard:
    """A model's card, as stored in card.json, and where the model lives."""

    data: dict[str, Any]
    folder: Path

    @property
    def model_id(self) -> str:
        return str(self.data["id"])

    @property
    def trusted(self) -> bool:
        trust = self.data.get("trust")
        return isinstance(trust, dict) and trust.get("trusted") is True

    @property
    def synthetic_sessions(self) -> int:
        """How many training sessions were simulated, as the card says (shown, not enforced:
        promotion and serving use the verified model state)."""
        value = self.data.get("synthetic_sessions", 0)
        return value if isinstance(value, int) else 0

    @property
    def model_path(self) -> Path:
        return self.folder / MODEL_FILE

    def is_own_ranker(self, ranker: str) -> bool:
        """Whether a ranker named in the card's evaluation is this model itself; training
        names it "candidate" before it has an id."""
        return ranker in ("candidate", self.model_id)

    @property
    def own_metrics(self) -> dict[str, float]:
        """This model's held-out metrics from its card (empty when it has none)."""
        ranked = self.data.get("metrics", {}).get("metrics", {})
        return next((v for name, v in ranked.items() if self.is_own_ranker(name)), {})


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
    return _store(models_dir, files, card, synthetic, source)


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
        _, synthetic = _parse(files, str(folder))
    except ModelError as error:
        raise InputError(f"cannot import '{reference}': {error}") from None
    card = _read_card_data(folder) or {}
    card = {
        **card,
        "created": card.get("created") or datetime.now(UTC).isoformat(timespec="seconds"),
        "imported_from": str(folder.resolve()),
        "synthetic_sessions": synthetic,
    }
    models_dir.mkdir(parents=True, exist_ok=True)
    clean_staging(models_dir)
    return _store(models_dir, files, card, synthetic, f"imported from {folder.resolve()}")


def _store(
    models_dir: Path, files: dict[str, bytes], card: dict[str, Any], synthetic: int, source: str
) -> ModelCard:
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=models_dir))
    digests = {}
    for name, data in files.items():
        (staging / name).write_bytes(data)
        digests[name] = model_records.sha256_bytes(data)
    stamp = str(card["created"]).replace("-", "").replace(":", "")[:15]
    model_id = _free_id(models_dir, f"m{stamp}-{digests[MODEL_FILE][:8]}")
    full = {**card, "id": model_id, "sha256": digests, "versions": library_versions()}
    _write_json(staging / CARD_FILE, full)
    checkpoint("train.staged")
    # Recorded before it goes live: a run killed in between leaves a record of no folder
    # (harmless), never a live folder the registry does not vouch for.
    model_records.record_model(models_dir, model_id, digests, synthetic, source)
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


def list_models(models_dir: Path) -> list[ModelCard]:
    """Every model with a readable card, oldest first (cards only: no model file is read)."""
    if not models_dir.is_dir():
        return []
    cards = []
    for folder in sorted(models_dir.iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            card = _read_card(folder)
            if card is not None:
                cards.append(card)
    return sorted(cards, key=lambda c: (str(c.data.get("created", "")), c.model_id))


def find_model(models_dir: Path, model_id: str) -> ModelCard:
    """The card of a registered model; InputError naming the id when there is none."""
    folder = models_dir / model_id
    card = _read_card(folder) if _plain_name(model_id) and folder.is_dir() else None
    if card is None:
        raise InputError(f"model '{model_id}': no such model in {models_dir}")
    return card


def set_promoted(models_dir: Path, model_id: str) -> str | None:
    """Serve `model_id` from now on; return the model it replaces (None = rules-only)."""
    find_model(models_dir, model_id)
    state = read_state(models_dir)
    previous = state["promoted"]
    if previous == model_id:
        return previous
    history = [*state["history"], previous]
    _write_json(models_dir / STATE_FILE, {"promoted": model_id, "history": history})
    return previous


def rollback(models_dir: Path) -> str | None:
    """Go back to the model promoted before the current one (None = rules-only)."""
    state = read_state(models_dir)
    if not state["history"]:
        raise InputError("nothing to roll back to: no model was promoted before the current one")
    *history, previous = state["history"]
    _write_json(models_dir / STATE_FILE, {"promoted": previous, "history": history})
    return previous


def file_problem(card: ModelCard) -> str | None:
    """Why the model files may not be loaded (unrecorded, missing, changed), or None.

    Reads and hashes the files; never parses them.
    """
    try:
        model_records.verified_bytes(card.folder.parent, card.model_id, card.folder, MODEL_FILES)
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
    estimator, synthetic = _parse(files, f"model '{card.model_id}'")
    from recommender.model.learned import LearnedReranker

    return LearnedReranker(card.model_id, estimator, synthetic)


def _parse(files: dict[str, bytes], what: str) -> tuple[LambdaRanker, int]:
    # Imported here: listing and checking models needs neither LightGBM nor scikit-learn.
    from recommender.model.learned import LambdaRanker

    try:
        text = files[MODEL_FILE].decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{what}: {MODEL_FILE} is not a LightGBM model text (not UTF-8)") from None
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
        return LambdaRanker.from_saved(text, state), synthetic
    except (ValueError, TypeError) as error:
        raise ModelError(f"{what}: cannot be loaded ({error})") from None


def resolve_card(settings: Settings, reference: str) -> ModelCard:
    """A model id in the registry, or the path of a model folder (or file) inside it.

    A path outside RECOMMENDER_MODELS is refused: `recommender models import PATH` takes a
    model in first, so only models the registry recorded are ever parsed.
    """
    models_dir = settings.models_dir
    if _plain_name(reference) and (models_dir / reference).is_dir():
        return find_model(models_dir, reference)
    path = Path(reference)
    if not path.exists():
        raise InputError(f"model '{reference}': no such model id in {models_dir} and no such path")
    folder = (path if path.is_dir() else path.parent).resolve()
    if folder.parent != models_dir.resolve():
        raise InputError(
            f"model '{reference}' is outside RECOMMENDER_MODELS ({models_dir}): only registered "
            f"models are loaded; take it in first with `recommender models import {reference}`"
        )
    return find_model(models_dir, folder.name)


def load_for_serving(settings: Settings, reference: str | None) -> tuple[Ranker | None, list[str]]:
    """The re-ranker to serve with, or (None, [notice]) when it cannot be trusted or verified.

    `reference` None means the promoted model ((None, []) when none is promoted); otherwise a
    model id or path, and an unknown one raises InputError naming it. A model trained on any
    simulated session is served with a notice saying so.
    """
    card, notices = _card_to_serve(settings, reference)
    if card is None:
        return None, notices
    try:
        model = load_verified(card)
    except ModelError as error:
        return None, [f"{error}; serving rules-only"]
    return model, synthetic_notices(card.model_id, model.synthetic_sessions)


def serving_status(settings: Settings) -> tuple[str, list[str]]:
    """What `load_for_serving(settings, None)` would serve, and its notices, from the cards and
    the recorded hashes alone: no model file is parsed."""
    card, notices = _card_to_serve(settings, None)
    if card is None:
        return "rules-only", notices
    problem = file_problem(card)
    if problem is not None:
        return "rules-only", [f"{problem}; serving rules-only"]
    return card.model_id, synthetic_notices(card.model_id, recorded_synthetic_sessions(card))


def synthetic_notices(model_id: str, synthetic_sessions: int) -> list[str]:
    if synthetic_sessions <= 0:
        return []
    return [
        f"model '{model_id}' was trained on {synthetic_sessions:,} simulated sessions: its order "
        "reflects a simulator, not real shoppers"
    ]


def _card_to_serve(settings: Settings, reference: str | None) -> tuple[ModelCard | None, list]:
    if reference is None:
        try:
            current = promoted_id(settings.models_dir)
        except ModelError as error:
            return None, [f"{error}; serving rules-only"]
        if current is None:
            return None, []
        try:
            card = find_model(settings.models_dir, current)
        except InputError as error:  # the promoted folder was removed by hand
            return None, [f"promoted {error}; serving rules-only"]
    else:
        card = resolve_card(settings, reference)
    if not card.trusted:
        trust = card.data.get("trust")
        reason = trust.get("reason") if isinstance(trust, dict) else None
        reason = reason or "no trust decision on its card"
        return None, [f"model '{card.model_id}' is not trusted ({reason}); serving rules-only"]
    return card, []


def _read_card(folder: Path) -> ModelCard | None:
    data = _read_card_data(folder)
    return ModelCard(data, folder) if data is not None and "id" in data else None


def _read_card_data(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(model_records.read_bounded(folder / CARD_FILE, MAX_CARD_BYTES))
    except (ModelError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _plain_name(text: str) -> bool:
    return bool(text) and "/" not in text and "\\" not in text and not text.startswith(".")


def _free_id(models_dir: Path, wanted: str) -> str:
    candidate, suffix = wanted, 1
    while (models_dir / candidate).exists():
        suffix += 1
        candidate = f"{wanted}-{suffix}"
    return candidate


def _write_json(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", "utf-8")
    os.replace(partial, path)
