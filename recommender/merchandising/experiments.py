"""The experiment switch: a configured share of sessions runs without boosts or without the model.

The shares come from `[experiment]` in weights.toml (`Weights.no_boost_share`,
`Weights.no_model_share`, `Weights.interleave_share`, 0 to 0.5 each). Comparing those sessions'
feedback with the control arm measures what boosts and the model add; the interleave arm shows
the control's ranking interleaved with a candidate model's (see `recommender.model.interleaving`). The arm is not a `policy` (SPEC section 5 allows
only `ranked` and `explore` there); the caller records it separately.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from recommender.catalog.weights import Weights

CONTROL, NO_BOOST, NO_MODEL = "control", "no_boost", "no_model"
# Served the control's ranking interleaved with a candidate model's (recommender.model.interleaving).
INTERLEAVE = "interleave"
ARMS = (CONTROL, NO_BOOST, NO_MODEL, INTERLEAVE)


def pick_arm(rng: np.random.Generator, weights: Weights) -> str:
    """One session's arm, drawn with the configured shares (the rest is the control)."""
    draw = rng.random()
    if draw < weights.no_boost_share:
        return NO_BOOST
    if draw < weights.no_boost_share + weights.no_model_share:
        return NO_MODEL
    if draw < weights.no_boost_share + weights.no_model_share + weights.interleave_share:
        return INTERLEAVE
    return CONTROL


def weights_for_arm(weights: Weights, arm: str) -> Weights:
    """`weights` with the arm's part of the blend switched off.

    The version gains the arm's name, so an engine cached by weights version is never shared
    between arms.
    """
    if arm in (CONTROL, INTERLEAVE):
        return weights  # an interleaved list is drawn from the control's own ranking
    if arm == NO_BOOST:
        return replace(weights, blend_boost=0.0, version=f"{weights.version}+{arm}")
    if arm == NO_MODEL:
        return replace(weights, blend_model=0.0, version=f"{weights.version}+{arm}")
    raise ValueError(f"unknown experiment arm {arm!r}; expected one of {', '.join(ARMS)}")


def assign_experiment(rng: np.random.Generator, weights: Weights) -> tuple[str, Weights]:
    """Pick a session's arm and the weights to serve it with: the one call a session makes."""
    arm = pick_arm(rng, weights)
    return arm, weights_for_arm(weights, arm)
