"""The interleaving candidate: which model is named, and how it ranks a served result.

An analyst names the candidate with `recommender models interleave ID`; the name is kept in a
small state file beside the registry's (`<models_dir>/interleave.json`), readable without
scikit-learn. With no candidate named, nothing is interleaved, whatever `interleave_share` says.
The candidate is blended exactly as the served model is (`[blend] model`), so with that weight
at 0 it would rank like the rules and nothing is interleaved either.

    candidate, notices = load_candidate(settings, engine)   # None when there is none to use
    presentation, pick = candidate.present(answers, eligible, rng, k=5)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recommender.errors import InputError, ModelError
from recommender.feedback.columns import RANKED
from recommender.feedback.policy import Presentation
from recommender.model.interleaving import Interleaved, team_draft
from recommender.settings import Settings
from recommender.shopper.answers import Answers
from recommender.shopper.engine import MAX_K, Engine
from recommender.shopper.guidance import held_categories, keep_out_of_top
from recommender.shopper.ranker import Ranker
from recommender.shopper.result import Result

INTERLEAVE_FILE = "interleave.json"


def named_candidate(models_dir: Path) -> str | None:
    """The model id named for interleaving, or None."""
    path = models_dir / INTERLEAVE_FILE
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ModelError(f"{path}: unreadable interleaving state ({error})") from None
    candidate = state.get("candidate") if isinstance(state, dict) else None
    return str(candidate) if candidate else None


def set_candidate(models_dir: Path, model_id: str | None) -> None:
    """Name the candidate (None stops interleaving); written to a temporary file, then renamed."""
    models_dir.mkdir(parents=True, exist_ok=True)
    state: dict[str, Any] = {"candidate": model_id, "since": datetime.now(UTC).isoformat()}
    path = models_dir / INTERLEAVE_FILE
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", "utf-8")
    os.replace(partial, path)


@dataclass(frozen=True)
class InterleaveCandidate:
    """A candidate model and the engine that ranks with it instead of the served model."""

    model_id: str
    engine: Engine

    @classmethod
    def build(cls, served: Engine, model: Ranker) -> InterleaveCandidate:
        """The candidate's engine: the served one's catalog and rules, scored by `model`."""
        # The category cap is lifted only to learn the candidate's order of every allowed
        # product; what is shown still comes from the served, capped list.
        weights = replace(
            served.weights,
            max_per_category=MAX_K,
            version=f"{served.weights.version}+interleave:{model.name}",
        )
        return cls(model.name, replace(served, model=model, weights=weights))

    def order(self, answers: Answers, served: Result) -> list[str]:
        """The served result's products in the candidate's order.

        A product beyond the candidate's first MAX_K keeps its served order, at the end.
        """
        allowed = {item.sku: item for item in served.items}
        ranked = [i.sku for i in self.engine.recommend(answers, MAX_K).items if i.sku in allowed]
        seen = set(ranked)
        ordered = ranked + [item.sku for item in served.items if item.sku not in seen]
        kept_out = held_categories(answers)
        if kept_out:
            # NICE NG59 and NG226 keep braces, belts and insoles out of the top places. Keeping
            # only the served products can lift one of them up, so the rule is applied again
            # here; a team-draft pick at position p is within its team's top p, so the list
            # keeps it.
            held = np.array([allowed[sku].category in kept_out for sku in ordered])
            # Nothing is dropped: the served list already holds such products only when at
            # least that many others fit.
            kept, _ = keep_out_of_top(list(range(len(ordered))), held)
            ordered = [ordered[i] for i in kept]
        return ordered

    def present(
        self, answers: Answers, served: Result, rng: np.random.Generator, k: int
    ) -> tuple[Presentation, Interleaved]:
        """One interleaved list from the served result (every eligible product, capped)."""
        served_order = [item.sku for item in served.items]
        pick = team_draft(served_order, self.order(answers, served), k, rng)
        by_sku = {item.sku: item for item in served.items}
        shown = served.with_items(tuple(by_sku[sku] for sku in pick.skus))
        return Presentation(shown, RANKED, pick.propensities), pick


def load_candidate(
    settings: Settings, served: Engine
) -> tuple[InterleaveCandidate | None, list[str]]:
    """The named candidate ready to rank, or (None, [why not]); (None, []) when none is named."""
    try:
        model_id = named_candidate(settings.models_dir)
    except ModelError as error:
        return None, [f"{error}; nothing is interleaved"]
    if model_id is None:
        return None, []
    if served.weights.blend_model == 0:
        return None, [
            f"interleaving candidate '{model_id}' is not used: [blend] model is 0 in "
            "weights.toml, so it would rank exactly like the rules"
        ]
    if served.model is not None and served.model.name == model_id:
        return None, [f"interleaving candidate '{model_id}' is already served to everyone"]
    # Imported only now: loading a model needs joblib and scikit-learn.
    from recommender.model import registry

    try:
        model = registry.load_verified(registry.find_model(settings.models_dir, model_id))
    except (ModelError, InputError) as error:
        return None, [f"interleaving candidate refused: {error}; nothing is interleaved"]
    synthetic = getattr(model, "synthetic_sessions", 0)  # counted where the registry keeps it
    notices = []
    if isinstance(synthetic, int) and synthetic > 0:
        notices.append(
            f"interleaving candidate '{model_id}' was trained on {synthetic:,} simulated "
            "sessions: its half of each interleaved list reflects a simulator"
        )
    return InterleaveCandidate.build(served, model), notices
