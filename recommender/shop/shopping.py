"""The shopper page's services: answers to a shown result, feedback logging, card wording.

Nothing here imports Streamlit; the page lays out what these functions return. Feedback writes
never raise: a store that cannot be reached turns into a short note for the page, because a
shopper's results matter more than our logging.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from recommender.catalog.labels import category_label as category_label  # pages read it here
from recommender.catalog.money import PLAIN, Money
from recommender.catalog.validation import CATALOG_NOTICE
from recommender.errors import RecommenderError
from recommender.feedback import FeedbackStore, TeamPicks
from recommender.feedback.columns import EXPLORE, FINDER, RANKED
from recommender.feedback.policy import Presentation, present
from recommender.files import version_token
from recommender.merchandising.experiments import CONTROL, INTERLEAVE, assign_experiment
from recommender.model.interleave_candidate import INTERLEAVE_FILE, InterleaveCandidate
from recommender.model.promotion import STATE_FILE
from recommender.settings import DEFAULT_EXPLORE_TOP_N
from recommender.shop.questionnaire import SAFETY_STEP, raw_answers
from recommender.shopper.answers import Answers, parse_answers
from recommender.shopper.engine import MAX_K, Engine
from recommender.shopper.guidance import held_categories, order_words
from recommender.shopper.result import RULES_ONLY, Excluded, Item, Result, Suggestion, Triage

DEFAULT_SHOWN = 5
FEEDBACK_NOT_SAVED = "Your feedback could not be saved just now; your results are unaffected."
# What a shopper reads when the learned model was refused; the technical notice is for staff.
MODEL_PAUSED = (
    "These products are ordered by the article-based rules alone for now, while our "
    "learned ordering is paused."
)
# What a shopper reads when the model serving them learned from simulated shoppers (a demo).
MODEL_SIMULATED = (
    "Part of this order comes from a demonstration model that learned from simulated "
    "shoppers, not from real ones."
)
OUTCOME_EVENTS = ("click", "add_to_cart", "helpful", "not_helpful")
# A store reports its trouble (including an unusable SQLite folder) as a RecommenderError.
_STORE_FAILURES = (RecommenderError,)
logger = logging.getLogger(__name__)
# Files whose change means a new engine: products, merchandiser weights, the promoted model.
_WATCHED = ("products.csv", "weights.toml", "sizes.csv")


@dataclass(frozen=True, slots=True)
class Shown:
    """A result as the shopper sees it, and where its feedback goes."""

    answers: Answers
    result: Result
    policy: str
    session_id: str | None
    stopped: bool = False  # the safety screen holds back every product
    note: str | None = None  # set when the store could not record this list


class ShownRecorder(Protocol):
    """What stores a shown result: the store itself, or the HTTP API's group-commit writer."""

    def record_shown(
        self,
        answers: Answers,
        shown: Presentation,
        *,
        experiment: str | None = None,
        picks: TeamPicks | None = None,
        session_id: str | None = None,
        client: str = FINDER,
    ) -> str:
        """Store the shown result as a session with its impressions; return the session id."""
        ...


class FeedbackLog:
    """The feedback store as the page uses it: every write returns a note instead of raising."""

    # What a write turns into a note; the HTTP API narrows it so bad input still reaches the caller.
    failures: tuple[type[Exception], ...] = _STORE_FAILURES
    # Who makes the sessions (SPEC section 5): the finder's pages; the HTTP API names its caller.
    client: str = FINDER

    def __init__(
        self,
        open_store: Callable[[], FeedbackStore],
        open_recorder: Callable[[], ShownRecorder] | None = None,
    ) -> None:
        self._open_store = open_store
        # Shown results may go another way than outcomes (the HTTP API commits them in groups).
        self._open_recorder: Callable[[], ShownRecorder] = open_recorder or open_store

    def record_shown(
        self,
        answers: Answers,
        shown: Presentation,
        experiment: str | None = None,
        picks: TeamPicks | None = None,
        session_id: str | None = None,
    ) -> tuple[str | None, str | None]:
        """Log the session and one impression per product; return (session id, note)."""
        try:
            store = self._open_recorder()
            stored = store.record_shown(
                answers,
                shown,
                experiment=experiment,
                picks=picks,
                session_id=session_id,
                client=self.client,
            )
        except self.failures as error:
            self.wrote(error)
            logger.warning("feedback not saved: %s", error)
            return None, FEEDBACK_NOT_SAVED
        self.wrote(None)
        return stored, None

    def wrote(self, error: Exception | None) -> None:
        """How a write of a shown result went (the HTTP API reports it in /v1/health)."""

    def record_event(self, session_id: str | None, item: Item, event: str) -> str | None:
        """Log what the shopper did with a card; return a note when it was not saved."""
        if event not in OUTCOME_EVENTS:
            raise ValueError(f"event must be one of {', '.join(OUTCOME_EVENTS)}, got {event!r}")
        if session_id is None:
            return FEEDBACK_NOT_SAVED
        try:
            self._open_store().log_outcome(
                session_id, sku=item.sku, position=item.rank, event=event
            )
        except _STORE_FAILURES as error:
            logger.warning("feedback not saved: %s", error)
            return FEEDBACK_NOT_SAVED
        return None


def engine_key(catalog_dir: Path, models_dir: Path) -> str:
    """A cheap fingerprint (file sizes and times) that changes when the engine must be rebuilt.

    Saves of weights and products, and promotions in the model registry, all rename a new file
    into place, which changes its time and the time of the folder holding it.
    """
    watched = [
        *(catalog_dir / name for name in _WATCHED),
        models_dir,
        models_dir / STATE_FILE,
        models_dir / INTERLEAVE_FILE,
    ]
    parts = []
    for path in watched:
        try:
            stat = path.stat()
            parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}")
        except OSError:
            parts.append(f"{path}:missing")
    return version_token("|".join(parts))


def shopper_notes(result: Result, feedback_note: str | None) -> tuple[str, ...]:
    """The short notes above a shopper's results, in plain words: no file names or hashes."""
    # Catalog notices are for staff: the shopper's results are whole, from the last good files.
    model_notices = [n for n in result.notices if not n.startswith(CATALOG_NOTICE)]
    model_note = None
    if model_notices:
        model_note = MODEL_PAUSED if result.model_version == RULES_ONLY else MODEL_SIMULATED
    notes = (feedback_note, model_note)
    return tuple(note for note in notes if note)


def safety_stop(engine: Engine, draft: Mapping[str, Any]) -> Triage | None:
    """The triage when the safety answers alone rule out products, else None."""
    return _stop(engine, parse_answers(raw_answers(draft, up_to_step=SAFETY_STEP)))


def _stop(engine: Engine, answers: Answers) -> Triage | None:
    screen = engine.screen(answers)
    return None if screen.shows_products else screen.triage


def find_products(
    engine: Engine,
    draft: Mapping[str, Any],
    log: FeedbackLog,
    *,
    explore_share: float,
    rng: np.random.Generator,
    k: int = DEFAULT_SHOWN,
    up_to_step: int | None = None,
    candidate: InterleaveCandidate | None = None,
    explore_top_n: int = DEFAULT_EXPLORE_TOP_N,
) -> Shown:
    """Recommend for the shopper's draft, choose the order to show, and log it as impressions.

    `up_to_step` answers from the first steps only (a safety stop before the rest is asked).
    `candidate` is the model named for interleaving, if any: an interleave-arm session that
    is not exploring sees its ranking interleaved with the served one. An exploring session
    shuffles the served ranking's first `explore_top_n` products.
    """
    answers = parse_answers(raw_answers(draft, up_to_step=up_to_step))
    return show_products(
        engine,
        answers,
        log,
        explore_share=explore_share,
        rng=rng,
        k=k,
        candidate=candidate,
        explore_top_n=explore_top_n,
    )


def show_products(
    engine: Engine,
    answers: Answers,
    log: FeedbackLog,
    *,
    explore_share: float,
    rng: np.random.Generator,
    k: int = DEFAULT_SHOWN,
    session_id: str | None = None,
    candidate: InterleaveCandidate | None = None,
    explore_top_n: int = DEFAULT_EXPLORE_TOP_N,
) -> Shown:
    """`find_products` for answers already validated (the HTTP API's way in).

    `session_id` is the caller's own id for the session; None draws a new one. `candidate` is
    the model named for interleaving, if any: an interleave-arm session that is not exploring
    sees its ranking interleaved with the served one.
    """
    serving, arm = experiment_engine(engine, rng, can_interleave=candidate is not None)
    # A random order could put a brace or belt first where NICE NG59 or NG226 keeps it out of
    # the top places, so those sessions are always shown in the engine's order.
    share = 0.0 if held_categories(answers) else explore_share
    # An exploring session shuffles the served top N, an interleaved one needs every eligible
    # product; the ranked order is the engine's top k, and wording reasons for 50 cards would
    # be most of the request's time. So the session's one draw is made here.
    explores = rng.random() < share
    interleaves = candidate is not None and arm == INTERLEAVE and not explores
    wanted = max(k, explore_top_n) if explores else MAX_K if interleaves else k
    eligible = serving.recommend(answers, wanted)
    presentation = present(
        eligible, explore_share=1.0 if explores else 0.0, rng=rng, k=k, top_n=explore_top_n
    )
    picks = None
    if interleaves and candidate is not None and presentation.policy == RANKED:
        # Interleaving keeps NG59's and NG226's top places too (InterleaveCandidate.order).
        presentation, pick = candidate.present(answers, eligible, rng, k)
        picks = TeamPicks(candidate.model_id, pick.teams)
    session_id, note = log.record_shown(
        answers, presentation, experiment=arm, picks=picks, session_id=session_id
    )
    result = presentation.result
    stopped = result.triage.holds_back_products
    return Shown(answers, result, presentation.policy, session_id, stopped, note)


def experiment_engine(
    engine: Engine, rng: np.random.Generator, can_interleave: bool = False
) -> tuple[Engine, str | None]:
    """The engine for this session's experiment arm, and the arm to record.

    With no experiment configured (every share 0) every session is plain: no arm is recorded.
    Without a candidate to interleave, the interleave share counts as 0.
    Rebuilding an engine for another arm's weights takes a few milliseconds, once per session.
    """
    weights = engine.weights
    if not can_interleave and weights.interleave_share:
        weights = replace(weights, interleave_share=0.0)
    if weights.no_boost_share == 0 and weights.no_model_share == 0 and not weights.interleave_share:
        return engine, None
    arm, arm_weights = assign_experiment(rng, weights)
    # The interleave arm starts from the control's ranking (recommender.model.interleaving).
    plain = arm in (CONTROL, INTERLEAVE)
    return (engine if plain else replace(engine, weights=arm_weights)), arm


def apply_change(draft: Mapping[str, Any], suggestion: Suggestion) -> dict[str, Any]:
    """The draft with a suggested change applied (e.g. a higher budget)."""
    return {**draft, **suggestion.change}


def change_label(suggestion: Suggestion, money: Money = PLAIN) -> str | None:
    """The button text for a suggestion the shopper can apply in one click, else None."""
    change = dict(suggestion.change)
    if not change:
        return None
    if set(change) == {"budget_max"}:
        return f"Set my budget to {money.format(change['budget_max'])} and search again"
    return "Apply this change and search again"


def price_text(price: float, money: Money = PLAIN) -> str:
    """A price as the shop writes it."""
    return money.format(price)


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One part of a product's score, in words, for "why this order"."""

    label: str
    value: float
    meaning: str


def score_lines(item: Item) -> tuple[ScoreLine, ...]:
    """The parts of a card's score, each with what it stands for ("why this order").

    The feedback part is left out while it adds nothing (rules-only serving, or a model with no
    say for this product): "Shopper feedback: 0.00" would read as "nobody found this useful".
    """
    parts = item.score_parts
    lines = (
        ScoreLine("Your answers", parts.rules, "how well it matches the article's advice for you"),
        ScoreLine(
            "Shopper feedback", parts.model, "learned from what similar shoppers found useful"
        ),
        ScoreLine("Shop boost", parts.boost, "a small push our team gives some products"),
    )
    shown = tuple(line for line in lines if line.label != "Shopper feedback" or line.value != 0)
    if not parts.guidance_by:
        return shown
    # A NICE placement moved it down (SPEC section 2 revision 3): say which guidance, and why.
    return (*shown, ScoreLine("Health guidance", parts.guidance, order_words(parts.guidance_by)))


RANKED_ORDER_NOTE = "a higher total comes first."
SHUFFLED_ORDER_NOTE = (
    "this list was shuffled among the best matches for your answers, so here a higher total "
    "does not always come first."
)
# Under the share box: a link opens the list in its usual order, never a shuffle.
SHARED_LINK_NOTE = "This link opens your matches in their usual order, the best match first."
SHARED_AFTER_SHUFFLE_NOTE = (
    "You saw your matches in a shuffled order; this link opens them in their usual order, "
    "the best match first."
)


def order_note(shown: Shown, item: Item) -> str:
    """The last line of a card's "why this order": its total, and how the list was ordered."""
    note = SHUFFLED_ORDER_NOTE if shown.policy == EXPLORE else RANKED_ORDER_NOTE
    return f"Total {item.score:.2f}; {note}"


def share_note(shown: Shown | None) -> str:
    """What the share box says about the order a link opens."""
    explored = shown is not None and shown.policy == EXPLORE
    return SHARED_AFTER_SHUFFLE_NOTE if explored else SHARED_LINK_NOTE


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A product held back, and why, for the results page."""

    name: str
    why: str


def held_back(excluded: tuple[Excluded, ...], engine: Engine) -> tuple[HeldBack, ...]:
    """The held-back products by name, in the engine's order (safety, then stock, then budget)."""
    names = dict(zip(engine.catalog.products["sku"], engine.catalog.products["name"], strict=True))
    # The list sits under a "held back" heading already; the prefix would only repeat it.
    return tuple(
        HeldBack(names.get(e.sku, e.sku), _sentence(e.why.removeprefix("held back: ")))
        for e in excluded
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def product_description(engine: Engine, sku: str) -> str:
    """The product's description from the catalog (empty when none)."""
    description = engine.catalog.row(sku).get("description")
    return "" if description is None else str(description)
