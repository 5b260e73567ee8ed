"""Synthetic shoppers for demos and tests: random valid answers, the real engine, biased feedback.

Each simulated shopper answers the questionnaire at random, gets the engine's result (shown in
ranked order, or for an explore share in uniformly random order with true propensities, exactly
as `recommender.policy` does in the app) and reacts to it:

* position bias: a shopper looks at position p with probability (1/p) ** EXAMINATION_POWER;
* hidden quality: every product has a quality the rules do not know, so feedback carries
  information the rules lack and a learned model can show it helps.

Everything is marked synthetic: session ids start with "sim-" and the folder gets a README and a
SYNTHETIC marker file. `truth.json` records the hidden qualities for tests and demos.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from recommender.answers import CHOICES, LIST_CHOICES, Answers, parse_answers
from recommender.engine import DEFAULT_K, MAX_K, Engine
from recommender.feedback import columns as col
from recommender.feedback.csvio import write_csv
from recommender.feedback.records import answers_json, format_timestamp
from recommender.policy import present
from recommender.result import Item

SESSION_PREFIX = "sim-"
MARKER_FILE = "SYNTHETIC"
TRUTH_FILE = "truth.json"
START = datetime(2025, 1, 1, tzinfo=UTC)
SECONDS_BETWEEN_SESSIONS = 300
EXAMINATION_POWER = 1.5
QUALITY_SPREAD = 1.2  # standard deviation of the hidden quality, in logits
RULE_WEIGHT = 2.0  # how much the rules' own score is right about what shoppers like
HIDDEN_TASTE = 1.5
DEFAULT_EXPLORE_SHARE = 0.2
_README = """SYNTHETIC DATA - made by `recommender simulate`, not by real shoppers.

sessions.csv and events.csv have the columns of the feedback store (SPEC section 5); every
session id starts with "sim-". truth.json holds the hidden product qualities the simulated
shoppers reacted to. Use these files for demos and tests only, never as evidence about shoppers.
"""


@dataclass(frozen=True)
class ShopperWorld:
    """What the simulated shoppers like, beyond the rules: one hidden quality per product."""

    quality: dict[str, float]
    support: dict[str, str]
    examination_power: float = EXAMINATION_POWER

    @classmethod
    def draw(cls, products: pd.DataFrame, rng: np.random.Generator) -> ShopperWorld:
        values = rng.normal(0.0, QUALITY_SPREAD, size=len(products))
        skus = list(products["sku"])
        support = products.get("support_level", pd.Series([""] * len(skus))).fillna("")
        return cls(
            quality={sku: float(v) for sku, v in zip(skus, values, strict=True)},
            support=dict(zip(skus, support.astype(str), strict=True)),
        )

    def appeal(self, sku: str, rule_score: float, answers: Answers) -> float:
        """Chance that a shopper who looks at the product acts on it."""
        logit = RULE_WEIGHT * (rule_score - 0.5) + self.quality.get(sku, 0.0) - 0.8
        logit += self.taste(self.support.get(sku, ""), answers)
        return float(1.0 / (1.0 + np.exp(-logit)))

    @staticmethod
    def taste(support: str, answers: Answers) -> float:
        """Hidden tastes that depend on the shopper, which the rules do not know either."""
        if support == "firm" and answers.age_band == "65_plus":
            return -HIDDEN_TASTE  # older shoppers find firm braces hard to put on
        if support == "light" and answers.activities:
            return HIDDEN_TASTE / 2  # active shoppers like light supports they can move in
        return 0.0

    def examined(self, position: int) -> float:
        return float((1.0 / position) ** self.examination_power)


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
    progress: bool = False,
) -> SimulatedFeedback:
    """Run `n_sessions` random shoppers through `engine`; deterministic for a seed."""
    if n_sessions < 1:
        raise ValueError(f"n_sessions must be 1 or more, got {n_sessions}")
    rng = np.random.default_rng(seed)
    world = ShopperWorld.draw(engine.catalog.products, rng)
    session_rows: list[dict] = []
    event_rows: list[tuple] = []
    for index in tqdm(
        range(n_sessions), desc="simulate", disable=None if progress else True, unit="session"
    ):
        answers = random_answers(rng)
        # As the app does: explore sessions draw their k products from every eligible one.
        eligible = engine.recommend(answers, MAX_K)
        shown = present(eligible, explore_share=explore_share, rng=rng, k=DEFAULT_K)
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
        for item, propensity in zip(shown.result.items, shown.propensities, strict=True):
            event_rows += _reactions(world, answers, item, propensity, session_id, created, rng)
    return SimulatedFeedback(_sessions_frame(session_rows), _events_frame(event_rows), world)


def _reactions(
    world: ShopperWorld,
    answers: Answers,
    item: Item,
    propensity: float,
    session_id: str,
    created: datetime,
    rng: np.random.Generator,
) -> list[tuple]:
    def event(kind: str, seconds: int) -> tuple:
        when = created + timedelta(seconds=seconds)
        return (session_id, when, item.sku, item.rank, kind, propensity)

    rows = [event(col.IMPRESSION, 0)]
    appeal = world.appeal(item.sku, item.score_parts.rules, answers)
    if rng.random() >= world.examined(item.rank) * appeal:
        return rows
    rows.append(event("click", 20))
    if rng.random() < appeal * 0.6:
        rows.append(event("add_to_cart", 60))
        if rng.random() < 0.6:
            rows.append(event("purchase", 120))
            quality = world.quality.get(item.sku, 0.0)
            verdict = "helpful" if rng.random() < 1 / (1 + np.exp(-quality)) else "not_helpful"
            rows.append(event(verdict, 86_400))
    return rows


def random_answers(rng: np.random.Generator) -> Answers:
    """A random but valid questionnaire, roughly as varied as real shoppers' answers."""
    raw: dict = {"schema_version": 1}
    raw["age_band"] = str(rng.choice(CHOICES["age_band"], p=[0.02, 0.5, 0.28, 0.2]))
    areas = LIST_CHOICES["pain_areas"]
    raw["pain_areas"] = list(
        rng.choice(
            areas, size=rng.integers(1, 3), replace=False, p=[0.3, 0.3, 0.1, 0.15, 0.05, 0.1]
        )
    )
    if "knee" in raw["pain_areas"]:
        raw["knee_side"] = str(rng.choice(CHOICES["knee_side"]))
        raw["knee_pain_site"] = str(rng.choice(CHOICES["knee_pain_site"]))
    if {"knee", "lower_back"} <= set(raw["pain_areas"]):
        raw["pain_timing"] = str(rng.choice(CHOICES["pain_timing"]))
    raw["symptoms"] = _some(rng, LIST_CHOICES["symptoms"], 0.1)
    raw["bunions"] = str(rng.choice(CHOICES["bunions"], p=[0.6, 0.1, 0.1, 0.1, 0.1]))
    raw["feet_roll_inward"] = str(rng.choice(CHOICES["feet_roll_inward"]))
    raw["sitting_hours"] = float(rng.integers(0, 25) / 2)
    raw["activities"] = _some(rng, LIST_CHOICES["activities"], 0.2)
    raw["habits"] = _some(rng, LIST_CHOICES["habits"], 0.15)
    raw["height_cm"] = float(np.clip(rng.normal(170, 10), 140, 210).round())
    raw["weight_kg"] = float(np.clip(rng.normal(78, 15), 40, 160).round())
    raw["conditions"] = _some(rng, LIST_CHOICES["conditions"], 0.03)
    raw["red_flags"] = _some(rng, LIST_CHOICES["red_flags"], 0.003)
    if rng.random() < 0.3:
        raw["budget_max"] = float(rng.integers(15, 150))
    return parse_answers(raw)


def _some(rng: np.random.Generator, values: tuple[str, ...], share: float) -> list[str]:
    return [v for v in values if rng.random() < share]


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
        [
            r[col.SESSION_ID],
            format_timestamp(r[col.CREATED_AT]),
            answers_json(r[col.ANSWERS].to_record()),
            r[col.TRIAGE_LEVEL],
            r[col.MODEL_VERSION],
            r[col.POLICY],
        ]
        for r in feedback.sessions.to_dict("records")
    )
    events = (
        [sid, format_timestamp(ts), sku, int(pos), kind, repr(float(p))]
        for sid, ts, sku, pos, kind, p in feedback.events.itertuples(index=False)
    )
    n_sessions = write_csv(out_dir / "sessions.csv", col.SESSION_COLUMNS, sessions)
    n_events = write_csv(out_dir / "events.csv", col.EVENT_COLUMNS, events)
    truth = {"synthetic": True, "examination_power": feedback.world.examination_power}
    truth["product_quality"] = feedback.world.quality
    (out_dir / TRUTH_FILE).write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n")
    (out_dir / "README.txt").write_text(_README)
    (out_dir / MARKER_FILE).write_text("synthetic feedback made by `recommender simulate`\n")
    return n_sessions, n_events
