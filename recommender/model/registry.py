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
refused, and serving falls back to rules-only with a notice. A model is recorded only after
it passed the model check (`model_files.check_files`), and serves only with that pass. A card marked untrusted is never
served either. Listing models reads cards and hashes only and never loads LightGBM.

This module decides what is served; its parts live beside it and are re-exported here:
`cards` (finding models), `model_files` (saving, importing, verified loading), `promotion`
(which one is promoted, promote and rollback under a lock) and `records` (the sha256 record).
"""

from __future__ import annotations

import logging

from recommender.errors import InputError, ModelError
from recommender.model.cards import (
    CARD_FILE,
    MODEL_FILE,
    MODEL_FILES,
    MODEL_STATE_FILE,
    ModelCard,
    find_model,
    list_models,
    resolve_card,
)
from recommender.model.model_files import (
    check_files,
    clean_staging,
    file_problem,
    import_model,
    library_versions,
    load_verified,
    recheck_model,
    recorded_synthetic_sessions,
    save_model,
)
from recommender.model.promotion import STATE_FILE, promoted_id, rollback, set_promoted
from recommender.settings import Settings
from recommender.shopper.ranker import RULES_ONLY, Ranker

logger = logging.getLogger(__name__)

__all__ = [
    "CARD_FILE",
    "MODEL_FILE",
    "MODEL_FILES",
    "MODEL_STATE_FILE",
    "STATE_FILE",
    "ModelCard",
    "check_files",
    "clean_staging",
    "file_problem",
    "find_model",
    "import_model",
    "library_versions",
    "list_models",
    "load_for_serving",
    "load_verified",
    "promoted_id",
    "recheck_model",
    "recorded_synthetic_sessions",
    "resolve_card",
    "rollback",
    "save_model",
    "serving_status",
    "set_promoted",
    "synthetic_notices",
]


def load_for_serving(
    settings: Settings, reference: str | None, *, strict: bool = False
) -> tuple[Ranker | None, list[str]]:
    """The re-ranker to serve with, or (None, [notice]) when it cannot be trusted or verified.

    `reference` None means the promoted model ((None, []) when none is promoted); otherwise a
    model id or path, and an unknown one raises InputError naming it. `strict` (a model named
    on the command line): one that is unrecorded, changed or failed the model check raises
    InputError naming it too, instead of a notice. A model trained on any simulated session is
    served with a notice saying so.
    """
    card, notices = _card_to_serve(settings, reference)
    if card is None:
        return None, notices
    try:
        model = load_verified(card)
    except ModelError as error:
        if strict:
            raise InputError(f"{error}; refused") from None
        return None, [f"{error}; serving rules-only"]
    except Exception as error:  # serving never dies with a model: rules-only, with a notice
        logger.exception("model '%s' could not be loaded", card.model_id)
        if strict:
            raise InputError(f"model '{card.model_id}' could not be loaded ({error})") from None
        return None, [f"model '{card.model_id}' could not be loaded; serving rules-only"]
    return model, synthetic_notices(card.model_id, model.synthetic_sessions)


def serving_status(settings: Settings) -> tuple[str, list[str]]:
    """What `load_for_serving(settings, None)` would serve, and its notices, from the cards and
    the recorded hashes alone: no model file is parsed."""
    card, notices = _card_to_serve(settings, None)
    if card is None:
        return RULES_ONLY, notices
    problem = file_problem(card)
    if problem is not None:
        return RULES_ONLY, [f"{problem}; serving rules-only"]
    return card.model_id, synthetic_notices(card.model_id, recorded_synthetic_sessions(card))


def synthetic_notices(model_id: str, synthetic_sessions: int) -> list[str]:
    """The notices a model trained on simulated sessions is served with."""
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
