"""From the feedback store to a ranking dataset: one row per product shown in a session.

Each row carries the best thing the shopper did with the product (its grade: impression 0 <
click 1 < add_to_cart 2 < purchase or helpful 3; `not_helpful` or `returned` makes it negative,
-1), the
position and propensity it was shown with, and the parts the model's features are built from
(the shopper's answers, the product, the rule score recomputed with today's rules and weights).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from recommender.feedback import FeedbackStore, read_events, read_sessions
from recommender.feedback import columns as col
from recommender.model.features import answer_matrix, feature_rows, product_attributes
from recommender.shopper.engine import Engine
from recommender.shopper.features import answer_features
from recommender.shopper.ranker import Pairs

GRADES = {"impression": 0, "click": 1, "add_to_cart": 2, "purchase": 3, "helpful": 3}
# A product sent back is a firmer no than a purchase is a yes: it overrides the purchase.
NEGATIVE_EVENTS = ("not_helpful", "returned")
NEGATIVE_GRADE = -1
# Sample weight per grade: a purchase says more than a click; a "not helpful" is a firm no.
GRADE_WEIGHTS = {-1: 2.0, 0: 1.0, 1: 1.0, 2: 2.0, 3: 3.0}
GRADE = "grade"
READ_CHUNK = 200_000


@dataclass(frozen=True, kw_only=True)
class RankingDataset(Pairs):
    """Shown products (`rows`), each a (session, product) pair any `Ranker` can score."""

    rows: pd.DataFrame  # session_id, created_at, policy, sku, position, propensity, grade

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def n_sessions(self) -> int:
        """How many sessions the rows come from."""
        return int(self.rows[col.SESSION_ID].nunique())

    @property
    def positive(self) -> np.ndarray:
        """1 for each row the shopper acted on well, 0 otherwise."""
        return (self.rows[GRADE].to_numpy() > 0).astype(np.int8)

    @property
    def sample_weight(self) -> np.ndarray:
        """Each row's training weight, by its grade."""
        return self.rows[GRADE].map(GRADE_WEIGHTS).to_numpy(float)

    def features(self, sku_vocabulary: Iterable[str]) -> pd.DataFrame:
        """The model input for every row, with sku codes from `sku_vocabulary`."""
        attributes = product_attributes(self.products, list(sku_vocabulary)).to_numpy()
        return feature_rows(
            answers=answer_matrix(self.shopper_features)[self.shopper_index],
            products=attributes[self.product_index],
            rule_raw=self.rule_raw,
            rule_score=self.rule_score,
            position=self.rows[col.POSITION].to_numpy(),
        )

    def subset(self, mask: np.ndarray) -> RankingDataset:
        """The rows where `mask` is true, with their pairs."""
        return replace(
            self,
            rows=self.rows.loc[mask].reset_index(drop=True),
            shopper_index=self.shopper_index[mask],
            product_index=self.product_index[mask],
            rule_raw=self.rule_raw[mask],
            rule_score=self.rule_score[mask],
        )

    def date_range(self) -> tuple[str, str] | None:
        """The first and last session dates, or None when empty."""
        if self.rows.empty:
            return None
        times = self.rows[col.CREATED_AT]
        return times.min().isoformat(), times.max().isoformat()


def load_feedback(
    store: FeedbackStore, exclude_clients: Iterable[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions and events from the store; events are read in chunks to bound memory.

    Sessions made by a client in `exclude_clients` (SPEC 5's `client`: say, a bot's API key)
    are left out, and their events with them."""
    sessions = read_sessions(store)
    assert isinstance(sessions, pd.DataFrame)  # read whole: no chunksize
    chunks = [_compact_events(chunk) for chunk in read_events(store, chunksize=READ_CHUNK)]
    events = pd.concat(chunks, ignore_index=True) if chunks else _compact_events(None)
    left_out = sessions[col.CLIENT].isin(list(exclude_clients))
    if left_out.any():
        sessions = sessions.loc[~left_out].reset_index(drop=True)
        events = events.loc[events[col.SESSION_ID].isin(sessions[col.SESSION_ID])]
        events = events.reset_index(drop=True)
    return sessions, events


def build_dataset(sessions: pd.DataFrame, events: pd.DataFrame, engine: Engine) -> RankingDataset:
    """One row per (session, shown product) whose product is still in the catalog."""
    rows = _graded_rows(events)
    sessions = sessions.loc[sessions[col.SESSION_ID].isin(rows[col.SESSION_ID].unique())]
    sessions = sessions.reset_index(drop=True)
    session_codes = pd.Index(sessions[col.SESSION_ID])
    product_codes = pd.Index(engine.catalog.products["sku"])
    rows = rows.assign(
        session_index=session_codes.get_indexer(rows[col.SESSION_ID]),
        product_index=product_codes.get_indexer(rows[col.SKU]),
    )
    rows = rows.loc[(rows["session_index"] >= 0) & (rows["product_index"] >= 0)]
    rows = rows.merge(
        sessions[[col.SESSION_ID, col.CREATED_AT, col.POLICY]], on=col.SESSION_ID, how="left"
    )
    rows = rows.sort_values([col.CREATED_AT, col.SESSION_ID, col.POSITION], kind="stable")
    rows = rows.reset_index(drop=True)
    session_index = rows.pop("session_index").to_numpy()
    product_index = rows.pop("product_index").to_numpy()
    return assemble(rows, session_index, product_index, sessions[col.ANSWERS], engine)


def assemble(
    rows: pd.DataFrame,
    session_index: np.ndarray,
    product_index: np.ndarray,
    answers: Iterable,
    engine: Engine,
) -> RankingDataset:
    """A dataset of `rows`, each pointing at a shopper in `answers` and a catalog product."""
    # Answers are mostly choices, so many shoppers share a feature set: keep one copy of each
    # (a million events' sessions held 220 MB of equal sets) and score each set once.
    shared: dict[frozenset[str], frozenset[str]] = {}
    feature_sets = [shared.setdefault(f, f) for f in map(answer_features, answers)]
    distinct = pd.Index(feature_sets).drop_duplicates()
    raw_distinct = engine.rule_totals(list(distinct))
    set_index = distinct.get_indexer(feature_sets)[session_index]
    raw = raw_distinct[set_index, product_index] if len(rows) else np.zeros(0)
    return RankingDataset(
        rows=rows,
        shopper_index=session_index,
        product_index=product_index,
        shopper_features=tuple(feature_sets),
        products=engine.catalog.products,
        rule_raw=raw,
        rule_score=engine.rule_scores(raw),
    )


def time_split(dataset: RankingDataset, test_share: float = 0.2) -> tuple[RankingDataset, ...]:
    """(train, test): the latest `test_share` of sessions, by creation time, are held out."""
    if not 0.0 < test_share < 1.0:
        raise ValueError(f"test_share must be between 0 and 1, got {test_share}")
    firsts = dataset.rows.groupby(col.SESSION_ID, sort=False)[col.CREATED_AT].first()
    ordered = firsts.sort_values(kind="stable")
    n_test = round(len(ordered) * test_share)
    test_ids = set(ordered.index[len(ordered) - n_test :]) if n_test else set()
    in_test = dataset.rows[col.SESSION_ID].isin(test_ids).to_numpy()
    return dataset.subset(~in_test), dataset.subset(in_test)


def _compact_events(chunk: pd.DataFrame | None) -> pd.DataFrame:
    # Only what the dataset needs; categories keep a million events in a few tens of MB.
    if chunk is None:
        chunk = pd.DataFrame(columns=list(col.EVENT_COLUMNS))
    frame = chunk[[col.SESSION_ID, col.SKU, col.POSITION, col.EVENT, col.PROPENSITY]].copy()
    frame[col.EVENT] = frame[col.EVENT].astype("category")
    return frame


def _graded_rows(events: pd.DataFrame) -> pd.DataFrame:
    """One row per (session, sku) shown: its first impression and its best outcome."""
    keys = [col.SESSION_ID, col.SKU]
    kind = events[col.EVENT].astype(str)
    shown = events.loc[kind == "impression", [*keys, col.POSITION, col.PROPENSITY]]
    shown = shown.drop_duplicates(keys, keep="first")
    grade = kind.map(GRADES).fillna(0).astype(np.int8)
    best = grade.groupby([events[col.SESSION_ID], events[col.SKU]], sort=False).max()
    refused = kind.isin(NEGATIVE_EVENTS).groupby([events[col.SESSION_ID], events[col.SKU]]).any()
    outcome = pd.DataFrame({GRADE: best}).join(refused.rename("refused"))
    outcome.loc[outcome["refused"], GRADE] = NEGATIVE_GRADE
    rows = shown.merge(outcome[[GRADE]].reset_index(), on=keys, how="left")
    rows[GRADE] = rows[GRADE].fillna(0).astype(np.int8)
    return rows
