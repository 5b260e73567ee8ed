"""Which learned model the engine serves with: the promoted one, a named one, or none."""

from __future__ import annotations

import importlib.util

from recommender.errors import InputError
from recommender.reranker import Reranker
from recommender.settings import Settings


def resolve_model(
    settings: Settings, reference: str | None, rules_only: bool
) -> tuple[Reranker | None, list[str]]:
    """The model to blend in, and any notice for the shopper or analyst (e.g. a refused file)."""
    if rules_only:
        return None, []
    if importlib.util.find_spec("recommender.registry") is None:
        if reference is not None:
            raise InputError(f"--model {reference}: no model registry is installed")
        return None, []
    from recommender.registry import load_for_serving

    return load_for_serving(settings, reference)
