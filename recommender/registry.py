"""The model registry under RECOMMENDER_MODELS: model files, their cards, and which one serves.

Layout:

    <models_dir>/<model id>/model.joblib   the fitted `PositionAwareRanker`
    <models_dir>/<model id>/card.json      id, created, data range and size, features, metrics,
                                           library versions, seed, sha256 of model.joblib, trust
    <models_dir>/registry.json             {"promoted": id or null, "history": [earlier ids]}

A model file is only unpickled after its sha256 matches the card and the card's library
versions match the installed ones; otherwise serving falls back to rules-only with a notice.
A card marked untrusted (too little data to tell it beats the rules, see `training.trust`) is
never served either. Every write goes to a temporary file that is renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn

from recommender.errors import InputError, ModelError
from recommender.learned import LearnedReranker, PositionAwareRanker
from recommender.promotion import STATE_FILE, promoted_id, read_state
from recommender.reranker import Reranker
from recommender.settings import Settings

MODEL_FILE = "model.joblib"
CARD_FILE = "card.json"


def library_versions() -> dict[str, str]:
    """The versions a model file depends on; a card records them at training time."""
    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "joblib": joblib.__version__,
    }


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
        return bool(self.data.get("trust", {}).get("trusted", False))

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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(models_dir: Path, estimator: PositionAwareRanker, card: dict[str, Any]) -> ModelCard:
    """Write the model and its card into a new folder; the id is the created time and hash."""
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=models_dir))
    joblib.dump(estimator, staging / MODEL_FILE)
    digest = sha256_of(staging / MODEL_FILE)
    stamp = str(card["created"]).replace("-", "").replace(":", "")[:15]
    model_id = _free_id(models_dir, f"m{stamp}-{digest[:8]}")
    full = {**card, "id": model_id, "sha256": digest, "versions": library_versions()}
    _write_json(staging / CARD_FILE, full)
    os.replace(staging, models_dir / model_id)
    return ModelCard(full, models_dir / model_id)


def list_models(models_dir: Path) -> list[ModelCard]:
    """Every model with a readable card, oldest first."""
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
    """Why the model file may not be loaded (missing, changed, other libraries), or None."""
    path = card.model_path
    if not path.is_file():
        return f"model '{card.model_id}': {path} is missing"
    if sha256_of(path) != card.data.get("sha256"):
        return (
            f"model '{card.model_id}': the file does not match its recorded sha256 "
            "(changed or damaged since training)"
        )
    recorded = card.data.get("versions", {})
    wrong = [
        f"{name} {recorded.get(name, '?')} (installed {version})"
        for name, version in library_versions().items()
        if recorded.get(name) != version
    ]
    if wrong:
        return f"model '{card.model_id}' was saved with other libraries: {', '.join(wrong)}"
    return None


def load_verified(card: ModelCard) -> LearnedReranker:
    """Unpickle a model after checking its hash and library versions; ModelError if either fails."""
    problem = file_problem(card)
    if problem is not None:
        raise ModelError(problem)
    try:
        estimator = joblib.load(card.model_path)
    except Exception as error:  # a broken pickle can raise nearly anything
        raise ModelError(f"model '{card.model_id}': cannot be loaded ({error})") from None
    if not isinstance(estimator, PositionAwareRanker):
        raise ModelError(f"model '{card.model_id}': the file holds {type(estimator).__name__}")
    return LearnedReranker(card.model_id, estimator)


def resolve_card(settings: Settings, reference: str) -> ModelCard:
    """A model id in the registry, or a path to a model folder or its model.joblib."""
    models_dir = settings.models_dir
    if _plain_name(reference) and (models_dir / reference).is_dir():
        return find_model(models_dir, reference)
    path = Path(reference)
    folder = path if path.is_dir() else path.parent if path.is_file() else None
    card = _read_card(folder) if folder is not None else None
    if card is None:
        raise InputError(
            f"model '{reference}': no such model id in {models_dir} and no model folder or "
            f"{MODEL_FILE} with a {CARD_FILE} at that path"
        )
    return card


def load_for_serving(
    settings: Settings, reference: str | None
) -> tuple[Reranker | None, list[str]]:
    """The re-ranker to serve with, or (None, [notice]) when it cannot be trusted or verified.

    `reference` None means the promoted model ((None, []) when none is promoted); otherwise a
    model id or path, and an unknown one raises InputError naming it.
    """
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
        reason = card.data.get("trust", {}).get("reason", "no trust decision on its card")
        return None, [f"model '{card.model_id}' is not trusted ({reason}); serving rules-only"]
    try:
        return load_verified(card), []
    except ModelError as error:
        return None, [f"{error}; serving rules-only"]


def _read_card(folder: Path) -> ModelCard | None:
    path = folder / CARD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return ModelCard(data, folder) if isinstance(data, dict) and "id" in data else None


def _plain_name(text: str) -> bool:
    return bool(text) and "/" not in text and "\\" not in text and text not in (".", "..")


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
