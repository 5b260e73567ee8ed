"""Which learned model the engine serves with: the promoted one, a named one, or none."""

from __future__ import annotations

from recommender.errors import ModelError
from recommender.model.promotion import promoted_id
from recommender.model.reranker import Reranker
from recommender.settings import Settings


def resolve_model(
    settings: Settings, reference: str | None, rules_only: bool
) -> tuple[Reranker | None, list[str]]:
    """The model to blend in, and any notice for the shopper or analyst (e.g. a refused file)."""
    if rules_only:
        return None, []
    if reference is None and _nothing_promoted(settings):
        return None, []
    # Imported only now: loading a model imports LightGBM and scikit-learn, a second of start-up.
    from recommender.model.registry import load_for_serving

    return load_for_serving(settings, reference)


def _nothing_promoted(settings: Settings) -> bool:
    try:
        return promoted_id(settings.models_dir) is None
    except ModelError:
        return False  # an unreadable state file: load_for_serving says so in a notice
