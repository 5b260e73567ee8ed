"""How many sessions interleaving needs to find the better ranker, against an A/B test.

On the simulator's hidden world (`training.simulate.ShopperWorld`: the same appeal and the same
position-decaying examination the simulated shoppers use), a pool of random shoppers gets the
engine's allowed list, ranked two ways: the served (rules) order, and a candidate that ranks by
the true appeal seen through noise (`noise` 0 is a perfect candidate). Then, many times over:

* interleaving: each session sees one team-draft list of the two (`recommender.model.interleaving`),
  is credited from clicks, adds to cart and purchases, and the candidate is found better when
  the 95% Wilson interval of its share of won sessions lies above 0.5 (as the report says);
* A/B: half the sessions see the served list, half the candidate's, and the candidate is found
  better when its purchase rate is higher by a two-proportion z-test at the 5% level.

A method "needs" the smallest number of sessions (all arms together, on a grid growing by
sqrt(2)) at which it finds the better ranker in at least 80% of repeated experiments.

    pool = build_pool(engine, n_shoppers=2000, noise=1.0, seed=0)
    study = sessions_needed(pool, seed=0)            # {"interleaving": 200, "ab": 6400, ...}
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from recommender.model.interleaving import CANDIDATE, draft_outcomes
from recommender.shopper.answers import Answers
from recommender.shopper.engine import DEFAULT_K, MAX_K, Engine
from recommender.shopper.result import Item
from training.simulate import ShopperWorld, random_answers

# The simulated shopper's chain after a click, as `training.simulate` draws it.
CART_GIVEN_CLICK = 0.6  # times the product's appeal
PURCHASE_GIVEN_CART = 0.6
Z_95 = 1.959963984540054
POWER = 0.8
GRID = tuple(int(round(50 * 2 ** (i / 2), -1)) for i in range(21))  # 50 to 51,200 sessions
OUTCOMES = 2 ** math.ceil(DEFAULT_K / 2)
CHUNK_SESSIONS = 400_000  # sessions simulated at once: bounds memory


@dataclass(frozen=True)
class StudyPool:
    """Simulated shoppers, each with the two rankings of their allowed products.

    Arrays run over shoppers (P), team-draft outcomes (O) and positions (k); an empty slot
    (a shopper with fewer than k allowed products) has appeal 0 and team -1.
    """

    draft_appeal: np.ndarray  # P x O x k: appeal of the product at each position
    draft_team: np.ndarray  # P x O x k: 1 picked by the candidate, 0 by the served ranking
    draft_chance: np.ndarray  # P x O: probability of each outcome (rows add up to 1)
    served_appeal: np.ndarray  # P x k: the served top k
    candidate_appeal: np.ndarray  # P x k: the candidate's top k
    examination: np.ndarray  # k: chance a shopper looks at each position

    def true_purchase_rates(self) -> tuple[float, float]:
        """Expected share of sessions with a purchase: served, candidate (what A/B estimates)."""
        return _purchase_rate(self.served_appeal, self.examination), _purchase_rate(
            self.candidate_appeal, self.examination
        )


def build_pool(
    engine: Engine, n_shoppers: int, *, noise: float, seed: int, k: int = DEFAULT_K
) -> StudyPool:
    """Random shoppers through `engine`, in a world drawn from `seed`; those the safety screen
    or filters leave with nothing to show are skipped."""
    rng = np.random.default_rng(seed)
    world = ShopperWorld.draw(engine.catalog.products, rng)
    rows = []
    for _ in range(n_shoppers):
        answers = random_answers(rng)
        items = engine.recommend(answers, MAX_K).items
        if items:
            rows.append(_shopper(world, answers, items, noise, rng, k))
    if not rows:
        raise ValueError("no simulated shopper had a product to show")
    parts = [np.stack(part) for part in zip(*rows, strict=True)]
    examination = np.array([world.examined(p) for p in range(1, k + 1)])
    draft_appeal, draft_team, draft_chance, served_appeal, candidate_appeal = parts
    return StudyPool(
        draft_appeal, draft_team, draft_chance, served_appeal, candidate_appeal, examination
    )


def interleaving_wins(
    pool: StudyPool, n_sessions: int, repeats: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate wins and served wins in each of `repeats` experiments of `n_sessions`."""
    wins, losses = np.zeros(repeats, int), np.zeros(repeats, int)
    for start, count in _chunks(repeats, n_sessions):
        size = count * n_sessions
        shopper = rng.integers(len(pool.draft_chance), size=size)
        cumulative = np.cumsum(pool.draft_chance[shopper], axis=1)
        outcome = np.minimum((rng.random((size, 1)) > cumulative).sum(axis=1), OUTCOMES - 1)
        appeal = pool.draft_appeal[shopper, outcome]
        team = pool.draft_team[shopper, outcome]
        points = _points(appeal, pool.examination, rng)
        candidate = (points * (team == 1)).sum(axis=1).reshape(count, n_sessions)
        served = (points * (team == 0)).sum(axis=1).reshape(count, n_sessions)
        wins[start : start + count] = (candidate > served).sum(axis=1)
        losses[start : start + count] = (served > candidate).sum(axis=1)
    return wins, losses


def ab_purchases(
    pool: StudyPool, n_sessions: int, repeats: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int]:
    """Sessions with a purchase in the served and the candidate arm (each n_sessions // 2)."""
    half = n_sessions // 2
    bought = []
    for appeal_table in (pool.served_appeal, pool.candidate_appeal):
        counts = np.zeros(repeats, int)
        for start, count in _chunks(repeats, half):
            shopper = rng.integers(len(appeal_table), size=count * half)
            points = _points(appeal_table[shopper], pool.examination, rng)
            purchased = (points == 3).any(axis=1).reshape(count, half)
            counts[start : start + count] = purchased.sum(axis=1)
        bought.append(counts)
    return bought[0], bought[1], half


def interleaving_detects(wins: np.ndarray, losses: np.ndarray) -> np.ndarray:
    """Whether the 95% Wilson interval of the candidate's share lies above 0.5."""
    n = wins + losses
    with np.errstate(divide="ignore", invalid="ignore"):
        share = wins / n
        centre = share + Z_95**2 / (2 * n)
        spread = Z_95 * np.sqrt(share * (1 - share) / n + Z_95**2 / (4 * n**2))
        low = (centre - spread) / (1 + Z_95**2 / n)
    return np.nan_to_num(low, nan=0.0) > 0.5


def ab_detects(served: np.ndarray, candidate: np.ndarray, per_arm: int) -> np.ndarray:
    """Whether the candidate's purchase rate is higher by a pooled two-proportion z-test."""
    pooled = (served + candidate) / (2 * per_arm)
    spread = np.sqrt(pooled * (1 - pooled) * 2 / per_arm)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (candidate - served) / per_arm / spread
    return np.nan_to_num(z, nan=0.0) > Z_95


def sessions_needed(
    pool: StudyPool, *, seed: int, repeats: int = 200, grid: tuple[int, ...] = GRID
) -> dict[str, int | None]:
    """The fewest sessions (from `grid`) each method needs to find the better ranker in at least
    80% of `repeats` experiments; None when even the largest size is not enough."""
    rng = np.random.default_rng(seed)
    finds = {
        "interleaving": lambda n: interleaving_detects(*interleaving_wins(pool, n, repeats, rng)),
        "ab": lambda n: ab_detects(*ab_purchases(pool, n, repeats, rng)),
    }
    needed: dict[str, int | None] = dict.fromkeys(finds)
    for n in grid:
        for method, found in finds.items():
            if needed[method] is None and found(n).mean() >= POWER:
                needed[method] = n
        if None not in needed.values():
            break
    return needed


def _shopper(
    world: ShopperWorld,
    answers: Answers,
    items: tuple[Item, ...],
    noise: float,
    rng: np.random.Generator,
    k: int,
) -> tuple[np.ndarray, ...]:
    appeal = {item.sku: _appeal(world, item, answers) for item in items}
    served = [item.sku for item in items]
    logits = np.log([appeal[s] / (1 - appeal[s]) for s in served])
    candidate = [served[i] for i in np.argsort(-(logits + rng.normal(0, noise, len(served))))]
    draft_appeal = np.zeros((OUTCOMES, k))
    draft_team = np.full((OUTCOMES, k), -1)
    draft_chance = np.zeros(OUTCOMES)
    for o, (chance, pick) in enumerate(draft_outcomes(served, candidate, k)):
        width = len(pick.skus)
        draft_appeal[o, :width] = [appeal[s] for s in pick.skus]
        draft_team[o, :width] = [int(team == CANDIDATE) for team in pick.teams]
        draft_chance[o] = chance
    return (
        draft_appeal,
        draft_team,
        draft_chance,
        _top(served, appeal, k),
        _top(candidate, appeal, k),
    )


def _appeal(world: ShopperWorld, item: Item, answers: Answers) -> float:
    # The one call into the world's taste: the simulated shoppers' own appeal.
    return world.appeal(item.sku, item.score_parts.rules, answers)


def _top(order: list[str], appeal: dict[str, float], k: int) -> np.ndarray:
    row = np.zeros(k)
    shown = order[:k]
    row[: len(shown)] = [appeal[s] for s in shown]
    return row


def _points(appeal: np.ndarray, examination: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each shown product's strongest outcome: 0 nothing, 1 click, 2 add to cart, 3 purchase."""
    clicked = rng.random(appeal.shape) < examination * appeal
    carted = clicked & (rng.random(appeal.shape) < appeal * CART_GIVEN_CLICK)
    bought = carted & (rng.random(appeal.shape) < PURCHASE_GIVEN_CART)
    return clicked.astype(int) + carted + bought


def _purchase_rate(appeal: np.ndarray, examination: np.ndarray) -> float:
    per_slot = examination * appeal * appeal * CART_GIVEN_CLICK * PURCHASE_GIVEN_CART
    return float(np.mean(1 - np.prod(1 - per_slot, axis=1)))


def _chunks(repeats: int, n_sessions: int) -> list[tuple[int, int]]:
    per_chunk = max(1, CHUNK_SESSIONS // max(n_sessions, 1))
    return [(start, min(per_chunk, repeats - start)) for start in range(0, repeats, per_chunk)]
