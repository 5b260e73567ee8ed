"""Fitting the blend from the logs: how much should the model count beside the rules?

The engine serves rules x (rule score) + model x (model score, 0..1) + boost x (boost).
`fit_blend` asks the corrected (position-debiased) estimator of `training.counterfactual` how
that served order would have done on held-out sessions at each model weight of a grid, and
names the best one with a paired interval against the weight in force now. Only the model
weight moves: rules, boosts, the category cap, safety and guidance apply as they do today.

The order judged is the one the engine would serve: every product the engine allows each
held-out shopper (`judged_lists`), not only the few they were shown. A product they saw counts
with its corrected gain (the outcome over the examination chance of its position). A product
they did not see has no outcome of its own, so it counts with the corrected gain the shown
products of the same rule score and model score earned on average (a small regression fitted
on the shown ones: the direct method, used only where the logs are silent).

Why fill them in, measured on the simulator (true NDCG@5 of the served lists, seeds 0-2 and
4, 5% explore): counting an unseen product as no gain made the estimate lean towards the order
that was logged, and the fitted weight served 2% to 4% below the best one (0.96 of it at three
seeds); filled in, it served at 0.997 to 1.000 of the best. Re-ordering only the shown products
did worse still: it cannot see a heavier model pull up a product nobody was shown.

    judged = judged_lists(engine, sessions, test, curve)
    scores = model.score(judged.lists)
    fit = fit_blend(judged.lists, scores, judged.filled_gains(scores), current=0.3)
    fit.best, fit.difference          # e.g. 0.9, +0.012 [+0.006, +0.019]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from recommender.errors import InputError
from recommender.feedback import columns as col
from recommender.shopper.engine import Engine
from training.counterfactual import (
    DEFAULT_CLIP,
    PRIMARY_ESTIMATOR,
    Difference,
    gains_by_session,
    ratio_bootstrap,
)
from training.dataset import GRADE, RankingDataset
from training.full_lists import candidate_lists
from training.propensity import PositionCurve

DEFAULT_GRID = tuple(round(w / 10, 1) for w in range(11))  # 0, 0.1, .., 1 (weights.toml's range)
MAX_GRID = 101
# Boosting rounds of the regressor that fills in unseen products' gains: a smooth surface over
# two inputs needs few.
FILL_ROUNDS = 100
# A weight must beat the next lower one by more than this share of the estimate to be chosen:
# the estimate is noisy, and a lower model weight keeps more of the article's order.
TIE_SHARE = 0.0


@dataclass
class BlendFit:
    """The corrected estimate of the served order at each model weight, and the best one."""

    grid: tuple[float, ...]
    estimates: dict[float, float]
    best: float
    current: float
    difference: Difference  # best minus current, paired by session
    estimator: str = PRIMARY_ESTIMATOR
    notes: list[str] = field(default_factory=list)

    @property
    def proposed(self) -> float:
        """The weight a promotion proposes: the best estimate's. (Keeping the current weight
        unless the interval of best minus current lay wholly above zero served 4.5% below the
        best weight in one simulated shop and helped in none, so the estimate decides.)"""
        return self.best

    def to_json(self) -> dict[str, Any]:
        """The fit as a JSON object, for the model card's `blend`."""
        return {
            "proposed": self.proposed,
            "estimator": self.estimator,
            "grid": list(self.grid),
            "estimates": {f"{w:g}": round(v, 5) for w, v in self.estimates.items()},
            "best": self.best,
            "current": self.current,
            "best_minus_current": vars(self.difference),
        }


def blend_line(fit: dict[str, Any]) -> str:
    """The blend fit (`BlendFit.to_json`, as a card keeps it) in one line for the analyst."""
    d, estimates = fit["best_minus_current"], fit["estimates"]
    best, current = fit["best"], fit["current"]
    return (
        f"blend fit ({fit['estimator']}, corrected): best model weight {best:g} "
        f"({estimates[f'{best:g}']:.4f}) beside the current {current:g} "
        f"({estimates[f'{current:g}']:.4f}); best minus current "
        f"{d['mean']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]; " + _advice(fit)
    )


def _advice(fit: dict[str, Any]) -> str:
    if fit["proposed"] == fit["current"]:
        return "the current weight is the best; `models promote ID` keeps it"
    return f"`recommender models promote ID` proposes {fit['proposed']:g} as a weights change"


def parse_grid(text: str) -> tuple[float, ...]:
    """`--blend-grid` text ("0,0.25,0.5,1") as sorted distinct weights; InputError naming it."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    if not parts or len(parts) > MAX_GRID:
        raise InputError(f"--blend-grid: give 1 to {MAX_GRID} model weights separated by commas")
    weights = []
    for part in parts:
        try:
            weight = float(part)
        except ValueError:
            raise InputError(f"--blend-grid: '{part}' is not a number") from None
        if not 0.0 <= weight <= 1.0:
            raise InputError(f"--blend-grid: {part} is outside 0 to 1 (weights.toml's range)")
        weights.append(weight)
    return tuple(sorted(set(weights)))


def served_scores(
    data: RankingDataset,
    model_scores: np.ndarray,
    weight: float,
    boosts: np.ndarray,
    rules: float = 1.0,
) -> np.ndarray:
    """The engine's blended score of each row at model weight `weight`, rules weight `rules`."""
    return rules * np.asarray(data.rule_score, float) + weight * _model_part(model_scores) + boosts


def _model_part(model_scores: np.ndarray) -> np.ndarray:
    # As the engine takes a ranker's scores: missing as 0, clipped to 0..1.
    return np.clip(np.nan_to_num(np.asarray(model_scores, float)), 0.0, 1.0)


@dataclass(frozen=True)
class JudgedLists:
    """Every product the engine allows each judged shopper, and what the logs say of each."""

    lists: RankingDataset
    gains: np.ndarray  # the corrected gain of a product the shopper saw, 0 for one they did not
    seen: np.ndarray  # bool: the shopper was shown the product

    def filled_gains(self, model_scores: np.ndarray, seed: int = 0) -> np.ndarray:
        """`gains`, with each product the shopper was not shown given the corrected gain
        expected of a shown product with the same rule score and model score."""
        if self.seen.all() or not self.seen.any():
            return self.gains
        from sklearn.ensemble import HistGradientBoostingRegressor
        from threadpoolctl import threadpool_limits

        judged_by = np.column_stack(
            [np.asarray(self.lists.rule_score, float), _model_part(model_scores)]
        )
        # One thread: on a busy machine OpenMP's waiting threads made a half-second fit take
        # most of a minute.
        with threadpool_limits(1, user_api="openmp"):
            expected = HistGradientBoostingRegressor(
                loss="poisson", max_iter=FILL_ROUNDS, random_state=seed
            ).fit(judged_by[self.seen], self.gains[self.seen])
        return np.where(self.seen, self.gains, expected.predict(judged_by))


def judged_lists(
    engine: Engine,
    sessions: pd.DataFrame,
    test: RankingDataset,
    curve: PositionCurve,
    clip: float = DEFAULT_CLIP,
) -> JudgedLists:
    """Every product the engine allows each held-out shopper with a good outcome (up to
    `full_lists.FULL_LIST_SESSIONS` of them), and each row's corrected gain: the outcome over
    the examination chance of the position it was shown at, 0 for a product not shown."""
    lists = candidate_lists(engine, sessions, test)
    shown = test.rows[[col.SESSION_ID, col.SKU, col.POSITION]]
    keys = lists.rows[[col.SESSION_ID, col.SKU]]
    position = keys.merge(shown, how="left", on=[col.SESSION_ID, col.SKU])[col.POSITION]
    seen = position.notna().to_numpy()
    chance = np.ones(len(lists))
    chance[seen] = np.maximum(curve.at(position.to_numpy()[seen].astype(int)), clip)
    gain = np.exp2(np.clip(lists.rows[GRADE].to_numpy(), 0, None)) - 1.0
    return JudgedLists(lists, np.where(seen, gain / chance, 0.0), seen)


def fit_blend(
    data: RankingDataset,
    model_scores: np.ndarray,
    gains: np.ndarray,
    *,
    current: float,
    boosts: np.ndarray | None = None,
    rules: float = 1.0,
    grid: Sequence[float] = DEFAULT_GRID,
    seed: int = 0,
) -> BlendFit:
    """The corrected SNIPS NDCG@5 of the served order at each weight of `grid` (and the
    current one), the best weight, and its paired difference from the current one. `gains`
    holds each row's corrected gain (`JudgedLists.filled_gains`); `rules` is the rules weight
    in force."""
    weights = tuple(sorted({*map(float, grid), float(current)}))
    extra = np.zeros(len(data)) if boosts is None else np.asarray(boosts, float)
    scores = {_key(w): served_scores(data, model_scores, w, extra, rules) for w in weights}
    per_session = gains_by_session(data, scores, gains)
    dcg, total = per_session.dcg, per_session.total.sum()
    estimates = {w: float(dcg[_key(w)].sum() / total) if total > 0 else 0.0 for w in weights}
    best = _best(estimates, [float(w) for w in grid])
    difference = ratio_bootstrap(
        dcg[_key(best)], dcg[_key(float(current))], per_session.total, seed=seed
    )
    return BlendFit(tuple(float(w) for w in grid), estimates, best, float(current), difference)


def _key(weight: float) -> str:
    return f"{weight:g}"


def _best(estimates: dict[float, float], grid: list[float]) -> float:
    best = grid[0]
    for weight in grid[1:]:
        if estimates[weight] > estimates[best] * (1 + TIE_SHARE):
            best = weight
    return best


def row_boosts(
    data: RankingDataset, engine_boost: dict[str, float], blend_boost: float
) -> np.ndarray:
    """Each row's boost part, as the engine adds it."""
    skus = data.rows[col.SKU].to_numpy()
    return np.array([blend_boost * engine_boost.get(s, 0.0) for s in skus], float)
