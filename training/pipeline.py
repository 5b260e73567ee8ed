"""Train, evaluate and promote: the steps behind `recommender train | evaluate | models promote`.

report = train_candidate(settings, seed=0, progress=tqdm_progress("train"))
evaluation = evaluate_model(settings, "m20250101...")
message = promote_model(settings, model_id, force=False)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from recommender.errors import InputError, ModelError
from recommender.feedback import FeedbackStore
from recommender.feedback import columns as col
from recommender.merchandising.weights_store import propose_model_weight
from recommender.model import registry
from recommender.model.features import MODEL_COLUMNS
from recommender.model.learned import LambdaRanker, LearnedReranker
from recommender.settings import Settings
from recommender.shopper.engine import Engine, load_engine
from recommender.shopper.ranker import RULES_ONLY, Ranker, RulesOnlyRanker
from training.blend import DEFAULT_GRID, BlendFit, fit_blend, judged_lists, row_boosts
from training.counterfactual import PRIMARY_ESTIMATOR
from training.dataset import RankingDataset, build_dataset, load_feedback, time_split
from training.evaluate import Evaluation, evaluate
from training.full_lists import candidate_lists
from training.model import fit_ranker
from training.propensity import PositionCurve, estimate_position_bias
from training.rankers import LightGBMBaseline, PopularityRanker
from training.simulate import SESSION_PREFIX
from training.trust import trust_decision

# progress(step done, steps in all, what is happening now)
Progress = Callable[[int, int, str], None]
CANDIDATE = "candidate"
TEST_SHARE = 0.2
TRAIN_STEPS = 5


def no_progress(done: int, total: int, what: str) -> None:
    """A progress callback that shows nothing."""
    return None


def tqdm_progress(label: str) -> Progress:
    """A progress callback drawing one tqdm bar on stderr when it is a terminal.

    Redirected to a file or a CI log, a redrawn bar is only noise, so none is drawn there.
    """
    bar: dict[str, tqdm] = {}

    def update(done: int, total: int, what: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=label, unit="step", leave=True, disable=None)
        current = bar["bar"]
        current.set_postfix_str(what)
        current.update(done - current.n)
        if done >= total:
            current.close()

    return update


@dataclass
class TrainReport:
    """What `train` made: the candidate's card, its evaluation and its trust decision."""

    card: registry.ModelCard
    evaluation: Evaluation
    notices: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON types, for `--json`."""
        return {
            "model_id": self.card.model_id,
            "path": str(self.card.folder),
            "trusted": self.card.trusted,
            "trust": self.card.data.get("trust"),
            "evaluation": self.evaluation.to_json(),
            "blend": self.card.data.get("blend"),
            "notices": self.notices,
        }


@dataclass(frozen=True)
class Prepared:
    """The store's feedback as a split dataset, with the engine it was scored by."""

    engine: Engine
    sessions: pd.DataFrame
    train: RankingDataset
    test: RankingDataset
    n_events: int


def prepare(
    settings: Settings,
    progress: Progress = no_progress,
    total: int = 1,
    exclude_clients: tuple[str, ...] = (),
) -> Prepared:
    """Read the store and build the time-split dataset; InputError when there is nothing to use.

    Sessions of the clients in `exclude_clients` are left out (`train --exclude-client`)."""
    engine = load_engine(settings.catalog_dir)
    progress(0, total, "reading the feedback store")
    with FeedbackStore.open(settings.db_url) as store:
        sessions, events = load_feedback(store, exclude_clients)
    progress(1, total, "building the dataset")
    return prepare_frames(engine, sessions, events)


def prepare_frames(engine: Engine, sessions: pd.DataFrame, events: pd.DataFrame) -> Prepared:
    """The dataset of `sessions` and `events`, split by time into train and test."""
    dataset = build_dataset(sessions, events, engine)
    if dataset.n_sessions < 2 or dataset.positive.sum() == 0:
        raise InputError(
            f"the feedback store has {dataset.n_sessions} usable sessions and "
            f"{int(dataset.positive.sum())} good outcomes: too little to train on "
            "(try `recommender simulate` and `recommender feedback import` for a demo)"
        )
    train, test = time_split(dataset, TEST_SHARE)
    return Prepared(engine, sessions, train, test, len(events))


def train_candidate(
    settings: Settings,
    *,
    out_dir: Path | None = None,
    seed: int = 0,
    correction: str = "position",
    progress: Progress = no_progress,
    exclude_clients: tuple[str, ...] = (),
    blend_grid: tuple[float, ...] = DEFAULT_GRID,
) -> TrainReport:
    """Fit a candidate on the store's feedback, evaluate it, fit the model's blend weight
    (`training.blend`) and save it with its card."""
    prepared = prepare(settings, progress, TRAIN_STEPS, exclude_clients)
    progress(2, TRAIN_STEPS, f"fitting on {len(prepared.train):,} shown products")
    estimator = fit_ranker(prepared.train, correction=correction, seed=seed)
    progress(3, TRAIN_STEPS, "evaluating on held-out sessions")
    current, notices = registry.load_for_serving(settings, None)
    evaluation = compare(prepared, LearnedReranker(CANDIDATE, estimator), current, seed)
    progress(4, TRAIN_STEPS, "saving the model and its card")
    card = model_card(prepared, estimator, evaluation, seed)
    blend = blend_fit(prepared, LearnedReranker(CANDIDATE, estimator), blend_grid, seed)
    card["blend"] = None if blend is None else blend.to_json()
    saved = registry.save_model(out_dir or settings.models_dir, estimator, card)
    progress(5, TRAIN_STEPS, f"saved {saved.model_id}")
    evaluation.candidate = saved.model_id
    if evaluation.corrected is not None:
        evaluation.corrected.candidate = saved.model_id
    return TrainReport(saved, evaluation, notices)


def compare(prepared: Prepared, candidate: Ranker, current: Any, seed: int) -> Evaluation:
    """The candidate against rules-only, popularity, stock unbiased LambdaRank and the model
    now served (if any)."""
    baselines: list[Ranker] = [
        RulesOnlyRanker(),
        PopularityRanker().fit(prepared.train),
        LightGBMBaseline(seed=seed).fit(prepared.train),
    ]
    if current is not None and current.model_id != candidate.name:
        baselines.append(LearnedReranker(current.model_id, current.estimator))
    lists = candidate_lists(prepared.engine, prepared.sessions, prepared.test)
    size = len(prepared.engine.catalog.products)
    return evaluate(
        candidate,
        baselines,
        prepared.test,
        seed=seed,
        full_lists=lists,
        catalog_size=size,
        curve=position_curve(prepared, seed),
    )


def blend_fit(
    prepared: Prepared, candidate: Ranker, grid: tuple[float, ...], seed: int
) -> BlendFit | None:
    """The corrected estimate of the served order over a grid of model weights (None when the
    held-out sessions have no good outcome to judge by)."""
    curve = position_curve(prepared, seed)
    test = prepared.test
    if curve is None or not len(test) or test.positive.sum() == 0:
        return None
    weights = prepared.engine.weights
    judged = judged_lists(prepared.engine, prepared.sessions, test, curve)
    lists = judged.lists
    boosts = row_boosts(lists, dict(weights.boosts), weights.blend_boost)
    model_scores = candidate.score(lists)
    return fit_blend(
        lists,
        model_scores,
        judged.filled_gains(model_scores, seed),
        current=weights.blend_model,
        boosts=boosts,
        rules=weights.blend_rules,
        grid=grid,
        seed=seed,
    )


def synthetic_sessions(data: RankingDataset) -> int:
    """How many of the sessions in `data` were simulated (their ids start with "sim-")."""
    ids = pd.Series(data.rows[col.SESSION_ID].unique(), dtype=str)
    return int(ids.str.startswith(SESSION_PREFIX).sum())


def position_curve(prepared: Prepared, seed: int = 0) -> PositionCurve | None:
    """The examination curve, estimated on the training sessions so that the held-out ones
    judge with a curve they did not shape; None (estimate on held-out) if they have no click."""
    try:
        return estimate_position_bias(prepared.train, seed=seed)
    except ValueError:
        return None


def model_card(
    prepared: Prepared, estimator: LambdaRanker, evaluation: Evaluation, seed: int
) -> dict[str, Any]:
    """The model card: data, parameters, evaluation and trust, as plain JSON types."""
    train, test = prepared.train, prepared.test
    first, last = (train.date_range() or ("", ""))[0], (test.date_range() or ("", ""))[1]
    synthetic = synthetic_sessions(train)
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "estimator": "LambdaRanker (LightGBM lambdarank"
        + (", unbiased: position-bias corrected)" if estimator.correction == "position" else ")"),
        "params": {k: v for k, v in estimator.get_params().items() if k != "sku_vocabulary"},
        "correction": estimator.correction,
        "synthetic_sessions": synthetic,
        "synthetic_share": round(synthetic / train.n_sessions, 4) if train.n_sessions else 0.0,
        "data": {
            "from": first,
            "to": last,
            "events": prepared.n_events,
            "train_sessions": train.n_sessions,
            "train_rows": len(train),
            "test_sessions": test.n_sessions,
            "test_rows": len(test),
            "split": f"by time: the latest {TEST_SHARE:.0%} of sessions held out",
            # The products the model learnt from; any other in the catalog is scored as an
            # average known product for its own sake (`recommender.model.learned`).
            "products_known": len(estimator.sku_vocabulary),
            "products_in_catalog": len(train.products),
        },
        "features": list(MODEL_COLUMNS),
        "metrics": evaluation.to_json(),
        "trust": trust_decision(train.n_sessions, evaluation),
    }


def evaluate_model(settings: Settings, reference: str | None = None, seed: int = 0) -> Evaluation:
    """The evaluation of an existing model (default: the promoted one) on today's held-out data."""
    model_id = reference or registry.promoted_id(settings.models_dir)
    if model_id is None:
        raise InputError("no model is promoted; name one with --model ID")
    card = registry.resolve_card(settings, model_id)
    model = _verified(card)
    prepared = prepare(settings)
    current, _ = registry.load_for_serving(settings, None)
    return compare(prepared, LearnedReranker(card.model_id, model.estimator), current, seed)


def promote_model(
    settings: Settings,
    model_id: str,
    *,
    force: bool = False,
    allow_synthetic: bool = False,
    keep_weights: bool = False,
) -> str:
    """Serve `model_id`, unless it is not better than what is served now, or any of its
    training sessions was simulated and `allow_synthetic` is not given (then InputError).

    Unless `keep_weights`, the model weight its blend fit found best is then saved as a new
    weights version (in the audit log, "proposed by the analyst's promotion"), which a
    merchandiser keeps or rolls back like any save."""
    card = registry.find_model(settings.models_dir, model_id)
    try:  # the model check again, in a limited process, before LightGBM parses it here
        registry.recheck_model(card)
    except ModelError as error:
        raise InputError(f"{error}; refused (restore the file or train a new model)") from None
    model = _verified(card)  # --force overrides "not better", never a changed or foreign file
    if model.synthetic_sessions and not allow_synthetic:
        raise InputError(
            f"model '{card.model_id}' was trained on {model.synthetic_sessions:,} simulated "
            "sessions: refused for serving (simulated shoppers are not evidence about real "
            "ones); use --allow-synthetic to serve it anyway, for a demo"
        )
    if not force:
        _check_promotable(settings, card)
    previous = registry.set_promoted(settings.models_dir, card.model_id)
    was = previous or RULES_ONLY
    simulated = (
        " - trained on simulated data, served with a notice" if model.synthetic_sessions else ""
    )
    message = f"promoted {card.model_id} (was {was}){simulated}"
    return message + _proposed_weight(settings, card, keep_weights)


def _proposed_weight(settings: Settings, card: registry.ModelCard, keep_weights: bool) -> str:
    blend = card.data.get("blend")
    if keep_weights or not isinstance(blend, dict) or "proposed" not in blend:
        return "; weights unchanged" + (" (--keep-weights)" if keep_weights else "")
    best = float(blend["proposed"])
    difference = blend.get("best_minus_current", {})
    why = (
        f"model {card.model_id}, model weight {best:g} (corrected {blend.get('estimator', '')} "
        f"over the {blend.get('current', '?')} in force when it was trained: "
        f"{difference.get('mean', float('nan')):+.4f} "
        f"[{difference.get('low', float('nan')):+.4f}, {difference.get('high', float('nan')):+.4f}])"
    )
    entry = propose_model_weight(settings.catalog_dir, best, why=why)
    if entry is None:
        return f"; model weight {best:g} already in force"
    return (
        f"; proposed model weight {best:g} as weights version {entry.version} "
        "(`recommender weights history` shows it; roll it back like any save)"
    )


def _verified(card: registry.ModelCard) -> LearnedReranker:
    # Naming a model whose file cannot be trusted is bad input: one line, exit code 2.
    try:
        return registry.load_verified(card)
    except ModelError as error:
        raise InputError(f"{error}; refused (restore the file or train a new model)") from None


def _check_promotable(settings: Settings, card: registry.ModelCard) -> None:
    if not card.trusted:
        reason = card.data.get("trust", {}).get("reason", "no trust decision")
        raise InputError(
            f"model '{card.model_id}' is not trusted ({reason}); use --force to promote"
        )
    evaluation = evaluate_model(settings, card.model_id)
    current, _ = registry.load_for_serving(settings, None)
    against = current.name if current is not None else RULES_ONLY
    if against == card.model_id:
        return  # already served: promoting again changes nothing
    difference = evaluation.corrected_difference(against)
    if difference is None or difference.mean <= 0:
        shown = "no comparison" if difference is None else f"{difference.mean:+.4f}"
        raise InputError(
            f"model '{card.model_id}' is not better than {against} on held-out data "
            f"(position-corrected {PRIMARY_ESTIMATOR} difference {shown}); "
            "use --force to promote anyway"
        )
