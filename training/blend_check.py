"""Does the fitted blend serve shoppers well? One simulated shop per seed, judged by the truth.

Each run logs a shop under rules-only (a share of sessions exploring the served top 10),
optionally before a share of today's catalog existed, trains the candidate and fits its blend
weight exactly as `recommender train` does, and serves it as `models promote` would (the
fitted weight in the shipped weights). The served lists of fresh shoppers (category cap, NG59,
boosts and safety applied) are then judged by the simulator's truth against:

* every weight of the grid (is the fitted one within 2% of the best?);
* rules-only;
* stock LightGBM LambdaRank trained on the same logs, ranked by itself under the same limits,
  and the same served as our model is (blended with the rules at full weight).

    check = check_blend(engine, seed=1, explore_share=0.05, new_share=0.25)
    check.fitted_ratio, check.best_grid_ratio, check.baseline_alone_ratio
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from recommender.catalog.products import Catalog
from recommender.feedback import columns as col
from recommender.model.learned import LearnedReranker
from recommender.shopper.engine import Engine, build_engine
from recommender.shopper.ranker import Pairs, Ranker
from training.blend import DEFAULT_GRID
from training.model import fit_ranker
from training.pipeline import blend_fit, prepare_frames
from training.rankers import LIGHTGBM_BASELINE, LightGBMBaseline
from training.served import TruthJudge, fresh_shoppers
from training.simulate import SECONDS_BETWEEN_SESSIONS, ShopperWorld, simulate

CHECK_SESSIONS = 8000
FRESH_SHOPPERS = 600
TRUTH_GRID = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@dataclass(frozen=True)
class BlendCheck:
    """True NDCG@5 of served lists over rules-only's, per way of serving."""

    seed: int
    explore_share: float
    new_share: float
    fitted_weight: float
    fitted_ratio: float
    grid_ratios: dict[float, float]
    baseline_alone_ratio: float
    baseline_blended_ratio: float
    estimates: dict[float, float]  # the blend fit's corrected estimate per weight

    @property
    def best_grid_ratio(self) -> float:
        """The best true NDCG@5 ratio of any weight on the grid."""
        return max(self.grid_ratios.values())

    @property
    def within_of_best(self) -> float:
        """The fitted weight's true NDCG@5 over the best grid weight's (1 = the best)."""
        return self.fitted_ratio / max(self.best_grid_ratio, self.fitted_ratio)


@dataclass(frozen=True)
class _Alone:
    """A stock ranker's scores, squashed to (0, 1) as the engine takes a model's, for an
    engine serving it by itself (the rules' weight at 0)."""

    inner: LightGBMBaseline
    name: str = LIGHTGBM_BASELINE

    def score(self, pairs: Pairs) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.asarray(self.inner.score(pairs), float)))


def older_catalog(catalog: Catalog, new_share: float, seed: int) -> Catalog:
    """`catalog` as it was before a `new_share` of its products (drawn at random) existed."""
    if new_share <= 0:
        return catalog
    rng = np.random.default_rng(seed)
    count = len(catalog.products)
    keep = np.sort(rng.choice(count, size=count - round(new_share * count), replace=False))
    return Catalog(
        catalog.products.iloc[keep].reset_index(drop=True),
        tuple(catalog.tags[i] for i in keep),
        f"{catalog.version}-older",
        catalog.sizes,
    )


def check_blend(
    engine: Engine,
    seed: int,
    *,
    explore_share: float = 0.05,
    new_share: float = 0.0,
    sessions: int = CHECK_SESSIONS,
    shoppers: int = FRESH_SHOPPERS,
) -> BlendCheck:
    """Log, train, fit the blend and serve, then judge every way of serving by the truth."""
    world = ShopperWorld.draw(engine.catalog.products, np.random.default_rng(seed + 10_000))
    logged = build_engine(older_catalog(engine.catalog, new_share, seed), engine.weights)
    feedback = simulate(logged, sessions, seed=seed, explore_share=explore_share, world=world)
    # `train` runs today, on today's catalog: products new since the logs are in it, unseen.
    prepared = prepare_frames(engine, feedback.sessions, feedback.events)
    candidate = LearnedReranker("candidate", fit_ranker(prepared.train, seed=0))
    fit = blend_fit(prepared, candidate, DEFAULT_GRID, seed)
    fitted = engine.weights.blend_model if fit is None else fit.proposed
    judge = TruthJudge(world, engine, fresh_shoppers(shoppers, seed + 20_000))
    rules = judge.served(engine)

    def ratio(model: Ranker | None, blend_model: float, blend_rules: float = 1.0) -> float:
        weights = replace(engine.weights, blend_model=blend_model, blend_rules=blend_rules)
        return judge.served(replace(engine, model=model, weights=weights)) / rules

    baseline = _Alone(LightGBMBaseline(seed=0).fit(prepared.train))
    return BlendCheck(
        seed=seed,
        explore_share=explore_share,
        new_share=new_share,
        fitted_weight=fitted,
        fitted_ratio=ratio(candidate, blend_model=fitted),
        grid_ratios={w: ratio(candidate, blend_model=w) for w in TRUTH_GRID},
        baseline_alone_ratio=ratio(baseline, blend_model=1.0, blend_rules=0.0),
        baseline_blended_ratio=ratio(baseline, blend_model=1.0),
        estimates={} if fit is None else fit.estimates,
    )


def learning_rounds(
    engine: Engine,
    seed: int,
    *,
    rounds: int = 3,
    sessions: int = CHECK_SESSIONS,
    explore_share: float = 0.05,
    shoppers: int = FRESH_SHOPPERS,
) -> list[float]:
    """The loop over time: each round logs a shop under the engine served now (rules-only
    first, then each newly promoted model with its fitted weight, with its own explore
    sessions), then trains on everything the store holds and promotes, as an analyst would;
    returns each promoted engine's true NDCG@5 over rules-only's, round by round."""
    world = ShopperWorld.draw(engine.catalog.products, np.random.default_rng(seed + 10_000))
    judge = TruthJudge(world, engine, fresh_shoppers(shoppers, seed + 20_000))
    rules = judge.served(engine)
    serving, ratios, logged, events = engine, [], [], []
    for round_ in range(rounds):
        feedback = simulate(
            serving, sessions, seed=seed * 100 + round_, explore_share=explore_share, world=world
        )
        # Each round's sessions come after the last round's, as in a store that fills up.
        later = pd.Timedelta(seconds=round_ * (sessions + 1) * SECONDS_BETWEEN_SESSIONS)
        logged.append(
            feedback.sessions.assign(**{col.CREATED_AT: feedback.sessions[col.CREATED_AT] + later})
        )
        events.append(feedback.events.assign(**{col.TS: feedback.events[col.TS] + later}))
        prepared = prepare_frames(
            serving, pd.concat(logged, ignore_index=True), pd.concat(events, ignore_index=True)
        )
        candidate = LearnedReranker(f"round-{round_ + 1}", fit_ranker(prepared.train, seed=0))
        fit = blend_fit(prepared, candidate, DEFAULT_GRID, seed)
        weight = serving.weights.blend_model if fit is None else fit.proposed
        serving = replace(
            engine, model=candidate, weights=replace(engine.weights, blend_model=weight)
        )
        ratios.append(judge.served(serving) / rules)
    return ratios
