"""Model cards in the registry: what each model is, found by id or path, without loading one.

Every model lives in `<models_dir>/<model id>/` (layout in `recommender.model.registry`);
`card.json` describes it. Reading cards needs neither LightGBM nor scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.errors import InputError, ModelError
from recommender.model import records as model_records
from recommender.settings import Settings

__all__ = [
    "CARD_FILE",
    "MODEL_FILE",
    "MODEL_FILES",
    "MODEL_STATE_FILE",
    "ModelCard",
    "find_model",
    "list_models",
    "read_card_data",
    "resolve_card",
]

MODEL_FILE = "model.txt"
MODEL_STATE_FILE = "model.json"
MODEL_FILES = (MODEL_FILE, MODEL_STATE_FILE)
CARD_FILE = "card.json"
MAX_CARD_BYTES = 1 << 20


@dataclass(frozen=True)
class ModelCard:
    """A model's card, as stored in card.json, and where the model lives."""

    data: dict[str, Any]
    folder: Path

    @property
    def model_id(self) -> str:
        """The model's id."""
        return str(self.data["id"])

    @property
    def trusted(self) -> bool:
        """Whether training judged the model better than rules-only."""
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
        """The model's LightGBM text file."""
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


def _read_card(folder: Path) -> ModelCard | None:
    data = read_card_data(folder)
    return ModelCard(data, folder) if data is not None and "id" in data else None


def read_card_data(folder: Path) -> dict[str, Any] | None:
    """A model folder's card as a dict, or None when it cannot be read."""
    try:
        data = json.loads(model_records.read_bounded(folder / CARD_FILE, MAX_CARD_BYTES))
    except (ModelError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _plain_name(text: str) -> bool:
    return bool(text) and "/" not in text and "\\" not in text and not text.startswith(".")
