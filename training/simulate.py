"""Synthetic shoppers for demos and tests: random valid answers, the real engine, biased feedback.

Each simulated shopper answers the questionnaire at random, gets the engine's result (shown in
ranked order, or for a small explore share as a uniform shuffle of the ranking's top N with
true propensities, exactly as `recommender.feedback.policy` does in the app) and reacts to it. The world is meant to be at
least as hard as a real shop, so a learned model has something to find and an evaluation can be
fooled:

* hidden quality: every product has a quality the rules cannot see;
* segment tastes: shoppers of each age band like some product categories more than others, and
  active shoppers like light supports they can move in while others lean to firmer ones;
* price sensitivity: dearer products appeal less, more so to shoppers who set a budget;
* position bias: a shopper examines position p with probability (1/p) ** EXAMINATION_POWER,
  whatever the product;
* mostly-ranked logging: by default only 5% of sessions explore (the shop's default share).

`expected_gain` is the truth behind it: the expected NDCG gain a product earns once examined,
so tests can compute any ranker's true NDCG@5.

Everything is marked synthetic: session ids start with "sim-" and the folder gets a README and a
SYNTHETIC marker file. `truth.json` records the hidden world for tests and demos.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from recommender.feedback import columns as col
from recommender.feedback.csvio import write_csv
from recommender.feedback.policy import present
from recommender.feedback.records import answers_json, event_cells, session_cells
from recommender.files import write_atomically
from recommender.settings import DEFAULT_EXPLORE_TOP_N
from recommender.shopper.answers import (
    CHOICES,
    LIST_CHOICES,
    RETIRED_CHOICES,
    Answers,
    parse_answers,
)
from recommender.shopper.engine import DEFAULT_K, Engine
from recommender.shopper.features import answer_features
from recommender.shopper.result import Item
from recommender.shopper.scoring import squash

SESSION_PREFIX = "sim-"
MARKER_FILE = "SYNTHETIC"
TRUTH_FILE = "truth.json"
START = datetime(2025, 1, 1, tzinfo=UTC)
SECONDS_BETWEEN_SESSIONS = 300
EXAMINATION_POWER = 1.2
QUALITY_SPREAD = 1.5  # standard deviation of the hidden quality, in logits
RULE_WEIGHT = 10.0  # how much the rules' own score is right about what shoppers like
AGE_TASTE_SPREAD = 0.8  # per (age band, category) taste, in logits
ACTIVE_TASTE = 0.8  # active shoppers like light supports; the others lean to firm ones
PRICE_SENSITIVITY = 0.6  # logits per doubling of the price over the catalog's median
BUDGET_PRICE_SENSITIVITY = 1.2  # the same for a shopper who set a budget
BASE_LOGIT = -2.5
CART_SHARE = 0.6  # of clicks, times the appeal, go on to the cart
PURCHASE_SHARE = 0.6  # of carts are bought
DEFAULT_EXPLORE_SHARE = 0.05  # as the shop's default RECOMMENDER_EXPLORE_SHARE
_README = """SYNTHETIC DATA - made by `recommender simulate`, not by real shoppers.

sessions.csv and events.csv have the columns of the feedback store (SPEC section 5); every
session id starts with "sim-". truth.json holds the hidden product qualities, tastes and
position bias the simulated shoppers reacted to. Use these files for demos and tests only,
never as evidence about shoppers.
"""
_SUPPORT_FOR_ACTIVE = {"light": 1.0, "medium": 0.0, "firm": -1.0}


@dataclass(frozen=True)
class ShopperWorld:
    """What the simulated shoppers like, beyond the rules, and how they look down a list."""

    quality: dict[str, float]
    category: dict[str, str]
    support: dict[str, str]
    log_price: dict[str, float]  # log2 of the price over the catalog's median price
    age_taste: dict[str, float]  # "age_band|category" -> logits
    examination_power: float = EXAMINATION_POWER

    @classmethod
    def draw(cls, products: pd.DataFrame, rng: np.random.Generator) -> ShopperWorld:
        """A random world for `products`: qualities and tastes the rules cannot see."""
        skus = list(products["sku"])
        values = rng.normal(0.0, QUALITY_SPREAD, size=len(products))
        categories = products["category"].astype(str).tolist()
        support = products.get("support_level", pd.Series([""] * len(skus))).fillna("")
        price = products["price"].astype(float).clip(lower=1.0)
        log_price = np.log2(price / float(price.median()))
        ages = CHOICES["age_band"]
        kinds = sorted(set(categories))
        tastes = rng.normal(0.0, AGE_TASTE_SPREAD, size=(len(ages), len(kinds)))
        return cls(
            quality={sku: float(v) for sku, v in zip(skus, values, strict=True)},
            category=dict(zip(skus, categories, strict=True)),
            support=dict(zip(skus, support.astype(str), strict=True)),
            log_price={sku: float(v) for sku, v in zip(skus, log_price, strict=True)},
            age_taste={
                f"{age}|{kind}": float(tastes[i, j])
                for i, age in enumerate(ages)
                for j, kind in enumerate(kinds)
            },
        )

    def appeal(self, sku: str, rule_score: float, answers: Answers) -> float:
        """Chance that a shopper who looks at the product acts on it (clicks it)."""
        logit = RULE_WEIGHT * (rule_score - 0.5) + self.quality.get(sku, 0.0) + BASE_LOGIT
        logit += self.taste(sku, answers)
        return float(1.0 / (1.0 + np.exp(-logit)))

    def taste(self, sku: str, answers: Answers) -> float:
        """Hidden tastes that depend on the shopper's segment and purse, unknown to the rules."""
        taste = self.age_taste.get(f"{answers.age_band}|{self.category.get(sku, '')}", 0.0)
        lean = _SUPPORT_FOR_ACTIVE.get(self.support.get(sku, ""), 0.0)
        taste += ACTIVE_TASTE * lean * (1.0 if answers.activities else -0.5)
        sensitivity = PRICE_SENSITIVITY if answers.budget_max is None else BUDGET_PRICE_SENSITIVITY
        return taste - sensitivity * self.log_price.get(sku, 0.0)

    def helpful_chance(self, sku: str) -> float:
        """The chance a buyer finds product `sku` helpful."""
        return float(1.0 / (1.0 + np.exp(-self.quality.get(sku, 0.0))))

    def expected_gain(self, sku: str, rule_score: float, answers: Answers) -> float:
        """The true expected NDCG gain (2 ** grade - 1) of the product once it is examined.

        A click earns 1, add to cart 3, a purchase 7 unless the shopper then says it did not
        help (grade -1, gain 0): the dataset's grades, averaged over the shopper's reactions.
        """
        appeal = self.appeal(sku, rule_score, answers)
        cart = CART_SHARE * appeal
        bought = PURCHASE_SHARE * 7.0 * self.helpful_chance(sku)
        return appeal * ((1.0 - cart) * 1.0 + cart * ((1.0 - PURCHASE_SHARE) * 3.0 + bought))

    def examined(self, position: int) -> float:
        """The chance a shopper looks at position `position`."""
        return float((1.0 / position) ** self.examination_power)

    def to_json(self) -> dict:
        """The world as plain JSON types (written as truth.json)."""
        return {
            "synthetic": True,
            "examination_power": self.examination_power,
            "product_quality": self.quality,
            "age_taste": self.age_taste,
            "log2_price_over_median": self.log_price,
        }


def true_relevance(
    world: ShopperWorld, sessions: pd.DataFrame, rows: pd.DataFrame, rule_score: np.ndarray
) -> np.ndarray:
    """`world.expected_gain` for each row (session_id, sku) of a ranking dataset."""
    answers = dict(zip(sessions[col.SESSION_ID], sessions[col.ANSWERS], strict=True))
    return np.array(
        [
            world.expected_gain(sku, float(score), answers[sid])
            for sid, sku, score in zip(rows[col.SESSION_ID], rows[col.SKU], rule_score, strict=True)
        ],
        dtype=float,
    )


@dataclass(frozen=True)
class SimulatedFeedback:
    """Sessions and events shaped as the store reads them, plus the world behind them."""

    sessions: pd.DataFrame
    events: pd.DataFrame
    world: ShopperWorld


def simulate(
    engine: Engine,
    n_sessions: int,
    *,
    seed: int = 0,
    explore_share: float = DEFAULT_EXPLORE_SHARE,
    explore_top_n: int = DEFAULT_EXPLORE_TOP_N,
    progress: bool = False,
    world: ShopperWorld | None = None,
) -> SimulatedFeedback:
    """Run `n_sessions` random shoppers through `engine`; deterministic for a seed. `world`
    is the shoppers' hidden tastes (default: drawn for `engine`'s catalog), given when the
    world holds more products than the engine logging it (a catalog that grew since)."""
    if n_sessions < 1:
        raise ValueError(f"n_sessions must be 1 or more, got {n_sessions}")
    rng = np.random.default_rng(seed)
    drawn = ShopperWorld.draw(engine.catalog.products, rng)
    world = world or drawn
    session_rows: list[dict] = []
    event_rows: list[tuple] = []
    for index in tqdm(
        range(n_sessions), desc="simulate", disable=None if progress else True, unit="session"
    ):
        answers = random_answers(rng)
        # As the app does: an explore session shuffles the served ranking's top N.
        eligible = engine.rank(answers, max(DEFAULT_K, explore_top_n))
        shown = present(
            eligible, explore_share=explore_share, rng=rng, k=DEFAULT_K, top_n=explore_top_n
        )
        session_id = f"{SESSION_PREFIX}{seed}-{index:07d}"
        created = START + timedelta(seconds=index * SECONDS_BETWEEN_SESSIONS)
        session_rows.append(
            {
                col.SESSION_ID: session_id,
                col.CREATED_AT: created,
                col.ANSWERS: answers,
                col.TRIAGE_LEVEL: shown.result.triage.level,
                col.MODEL_VERSION: shown.result.model_version,
                col.POLICY: shown.policy,
            }
        )
        scores = rule_scores_shown(engine, answers, shown.result.items)
        for item, propensity, score in zip(
            shown.result.items, shown.propensities, scores, strict=True
        ):
            event_rows += _reactions(
                world, answers, item, score, propensity, session_id, created, rng
            )
    return SimulatedFeedback(_sessions_frame(session_rows), _events_frame(event_rows), world)


def rule_scores_shown(engine: Engine, answers: Answers, items: Sequence[Item]) -> np.ndarray:
    """Each product's rule score before the blend weighs it (0..1), for `items` as `engine`
    served them: what a simulated shopper's appeal depends on, whatever the rules weight."""
    rules = engine.weights.blend_rules
    if rules > 0:  # the engine's rules part is exactly the rule score times the rules weight
        return np.array([item.score_parts.rules for item in items], float) / rules
    raw = engine.rule_totals([answer_features(answers)])[0]
    rows = pd.Index(engine.catalog.products["sku"]).get_indexer([item.sku for item in items])
    return squash(raw[rows])


def _reactions(
    world: ShopperWorld,
    answers: Answers,
    item: Item,
    rule_score: float,
    propensity: float,
    session_id: str,
    created: datetime,
    rng: np.random.Generator,
) -> list[tuple]:
    def event(kind: str, seconds: int) -> tuple:
        when = created + timedelta(seconds=seconds)
        return (session_id, when, item.sku, item.rank, kind, propensity)

    rows = [event(col.IMPRESSION, 0)]
    appeal = world.appeal(item.sku, rule_score, answers)
    if rng.random() >= world.examined(item.rank) * appeal:
        return rows
    rows.append(event("click", 20))
    if rng.random() < appeal * CART_SHARE:
        rows.append(event("add_to_cart", 60))
        if rng.random() < PURCHASE_SHARE:
            rows.append(event("purchase", 120))
            helpful = rng.random() < world.helpful_chance(item.sku)
            rows.append(event("helpful" if helpful else "not_helpful", 86_400))
    return rows


# The bands the questionnaire offers today (revision 3 split 50-64 at 55), and how often each
# answer is given. Built once: a simulation draws hundreds of thousands of answers.
_AGES = tuple(band for band in CHOICES["age_band"] if band not in RETIRED_CHOICES["age_band"])
_AGE_SHARES = (0.02, 0.5, 0.14, 0.14, 0.2)
_AREA_SHARES = np.array([0.3, 0.3, 0.1, 0.15, 0.05, 0.1])
_BUNION_SHARES = (0.6, 0.1, 0.1, 0.1, 0.1)


def _cumulative(shares: Sequence[float]) -> np.ndarray:
    # As `Generator.choice(p=shares)` builds it, so a draw gives exactly the answer it would.
    cumulative = np.asarray(shares, float).cumsum()
    return cumulative / cumulative[-1]


_AGE_CUMULATIVE = _cumulative(_AGE_SHARES)
_BUNION_CUMULATIVE = _cumulative(_BUNION_SHARES)


def random_answers(rng: np.random.Generator) -> Answers:
    """A random but valid questionnaire, roughly as varied as real shoppers' answers.

    Each answer is drawn as `rng.choice` draws it (one uniform number against the shares, or
    one integer when all are equally likely), without its per-call checks: the same seed gives
    the same shoppers, several times faster."""
    raw: dict = {"schema_version": 1}
    raw["age_band"] = _AGES[_weighted(rng, _AGE_CUMULATIVE)]
    areas = LIST_CHOICES["pain_areas"]
    picked = rng.choice(len(areas), size=rng.integers(1, 3), replace=False, p=_AREA_SHARES)
    raw["pain_areas"] = [areas[index] for index in picked]
    if "knee" in raw["pain_areas"]:
        raw["knee_side"] = _uniform(rng, CHOICES["knee_side"])
        raw["knee_pain_site"] = _uniform(rng, CHOICES["knee_pain_site"])
    if {"knee", "lower_back"} <= set(raw["pain_areas"]):
        raw["pain_timing"] = _uniform(rng, CHOICES["pain_timing"])
    raw["symptoms"] = _some(rng, LIST_CHOICES["symptoms"], 0.1)
    raw["bunions"] = CHOICES["bunions"][_weighted(rng, _BUNION_CUMULATIVE)]
    raw["feet_roll_inward"] = _uniform(rng, CHOICES["feet_roll_inward"])
    raw["sitting_hours"] = float(rng.integers(0, 25) / 2)
    raw["activities"] = _some(rng, LIST_CHOICES["activities"], 0.2)
    raw["habits"] = _some(rng, LIST_CHOICES["habits"], 0.15)
    raw["height_cm"] = float(round(min(max(rng.normal(170, 10), 140), 210)))
    raw["weight_kg"] = float(round(min(max(rng.normal(78, 15), 40), 160)))
    raw["conditions"] = _some(rng, LIST_CHOICES["conditions"], 0.03)
    raw["red_flags"] = _some(rng, LIST_CHOICES["red_flags"], 0.003)
    if rng.random() < 0.3:
        raw["budget_max"] = float(rng.integers(15, 150))
    return parse_answers(raw)


def _weighted(rng: np.random.Generator, cumulative: np.ndarray) -> int:
    return int(cumulative.searchsorted(rng.random(), side="right"))


def _uniform(rng: np.random.Generator, values: tuple[str, ...]) -> str:
    return values[int(rng.integers(0, len(values)))]


def _some(rng: np.random.Generator, values: tuple[str, ...], share: float) -> list[str]:
    return [v for v, draw in zip(values, rng.random(len(values)), strict=True) if draw < share]


def _sessions_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(col.SESSION_COLUMNS))
    frame[col.CREATED_AT] = pd.to_datetime(frame[col.CREATED_AT], utc=True)
    return frame


def _events_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(col.EVENT_COLUMNS))
    frame[col.TS] = pd.to_datetime(frame[col.TS], utc=True)
    frame[col.POSITION] = frame[col.POSITION].astype("int64")
    frame[col.PROPENSITY] = frame[col.PROPENSITY].astype("float64")
    return frame


def write_simulation(feedback: SimulatedFeedback, out_dir: Path) -> tuple[int, int]:
    """Write sessions.csv, events.csv, truth.json, README.txt and the SYNTHETIC marker."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sessions = (
        session_cells({**r, col.ANSWERS: answers_json(r[col.ANSWERS].to_record())})
        for r in feedback.sessions.to_dict("records")
    )
    events = (event_cells(r) for r in feedback.events.to_dict("records"))
    n_sessions = write_csv(out_dir / "sessions.csv", col.SESSION_COLUMNS, sessions)
    n_events = write_csv(out_dir / "events.csv", col.EVENT_COLUMNS, events)
    truth = feedback.world.to_json()
    write_atomically(out_dir / TRUTH_FILE, json.dumps(truth, indent=2, sort_keys=True) + "\n")
    write_atomically(out_dir / "README.txt", _README)
    write_atomically(out_dir / MARKER_FILE, "synthetic feedback made by `recommender simulate`\n")
    return n_sessions, n_events
