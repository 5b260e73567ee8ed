"""Which learned model the engine serves with: the promoted one, a named one, or none."""

from __future__ import annotations

from recommender.errors import ModelError
from recommender.model.promotion import promoted_id
from recommender.settings import Settings
from recommender.shopper.ranker import RULES_ONLY, Ranker

__all__ = ["resolve_model", "served_model_name"]


def resolve_model(
    settings: Settings, reference: str | None, rules_only: bool
) -> tuple[Ranker | None, list[str]]:
    """The model to blend in, and any notice for the shopper or analyst (e.g. a refused file).
    A model named by `reference` that cannot be loaded is bad input (InputError naming it),
    not a quiet fallback to rules-only."""
    if rules_only:
        return None, []
    if reference is None and _nothing_promoted(settings):
        return None, []
    # Imported only now: loading a model imports LightGBM and scikit-learn, a second of start-up.
    from recommender.model.registry import load_for_serving

    return load_for_serving(settings, reference, strict=reference is not None)


def served_model_name(settings: Settings) -> tuple[str, list[str]]:
    """What the shop serves now, for a page to name: the promoted model's id (or rules-only
    when none is promoted or it cannot be served) and any notice. Loads and verifies the
    model, so a file that would fail to load reads as rules-only here too."""
    from recommender.model.registry import load_for_serving

    model, notices = load_for_serving(settings, None)
    return (model.name if model is not None else RULES_ONLY), notices


def _nothing_promoted(settings: Settings) -> bool:
    try:
        return promoted_id(settings.models_dir) is None
    except ModelError:
        return False  # an unreadable state file: load_for_serving says so in a notice
