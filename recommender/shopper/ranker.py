"""The ranker contract, owned by the shopper core that serves with it.

Rules and the safety screen decide which products may be shown; a ranker only scores those
candidates, so it can reorder them but never add one back (the engine gives a held-back
product no model part at all).

A ranker has a `name` (a model id, or a baseline such as `RULES_ONLY`) and one method,
`score(pairs)`: one score per (shopper, product) pair, higher = shown earlier. The engine asks
with the pairs of one shopper and clips the scores to [0, 1], the scale it blends a model part
on (a served ranker should score on that scale); an evaluation asks with every shown pair of
thousands of sessions at once. `Pairs` carries what the shopper told us (their answer
features) and the catalog rows, not a model's encoding of them: each ranker turns them into
its own input (the learned model's is `recommender.model.features`). Every ranker follows it:
rules-only (here, the engine's default), the learned model (`recommender.model.learned`),
popularity and stock LightGBM (`training.rankers`) and the test doubles;
`tests/model/test_ranker_contract.py` checks them all with one set of tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from recommender.catalog.products import Catalog
from recommender.shopper.answers import Answers
from recommender.shopper.result import RULES_ONLY

__all__ = ["RULES_ONLY", "RULE_RAW", "RULE_SCORE", "Pairs", "Ranker", "RulesOnlyRanker"]

# The names of the two rule columns `Pairs.candidates` adds to the catalog rows.
RULE_SCORE = "rule_score"
RULE_RAW = "rule_raw"


@dataclass(frozen=True, kw_only=True)
class Pairs:
    """(shopper, product) pairs to score, with the parts a ranker's features are built from.

    `shopper_features` holds each shopper's answer features (`shopper.features`), `products`
    the catalog rows; each pair points at one of each. `catalog_version` is set when
    `products` is a whole catalog of that version, so a ranker may reuse work per catalog.
    `shoppers` holds the parsed answers when the caller has them (serving does; a training
    dataset keeps only their features).
    """

    shopper_features: tuple[frozenset[str], ...]
    shopper_index: np.ndarray
    products: pd.DataFrame
    product_index: np.ndarray
    rule_raw: np.ndarray
    rule_score: np.ndarray
    catalog_version: str | None = None
    shoppers: tuple[Answers, ...] = field(default=(), repr=False)

    @classmethod
    def one_shopper(
        cls,
        answers: Answers,
        features: frozenset[str],
        catalog: Catalog,
        rows: np.ndarray,
        rule_raw: np.ndarray,
        rule_score: np.ndarray,
    ) -> Pairs:
        """The engine's question: one shopper and the catalog `rows` the rules allow."""
        return cls(
            shopper_features=(features,),
            shopper_index=np.zeros(len(rows), dtype=np.int64),
            products=catalog.products,
            product_index=np.asarray(rows, dtype=np.int64),
            rule_raw=np.asarray(rule_raw, float),
            rule_score=np.asarray(rule_score, float),
            catalog_version=catalog.version,
            shoppers=(answers,),
        )

    @classmethod
    def many_shoppers(
        cls,
        shoppers: tuple[Answers, ...],
        feature_sets: list[frozenset[str]],
        catalog: Catalog,
        rows: list[np.ndarray],
        rule_raw: np.ndarray,
        rule_score: np.ndarray,
    ) -> Pairs:
        """A batch's question: each shopper with the catalog `rows` the rules allow them
        (`rule_raw` and `rule_score` concatenated in the same order)."""
        return cls(
            shopper_features=tuple(feature_sets),
            shopper_index=np.repeat(np.arange(len(rows)), [len(r) for r in rows]),
            products=catalog.products,
            product_index=np.concatenate(rows).astype(np.int64),
            rule_raw=np.asarray(rule_raw, float),
            rule_score=np.asarray(rule_score, float),
            catalog_version=catalog.version,
            shoppers=shoppers,
        )

    def __len__(self) -> int:
        return len(self.product_index)

    @property
    def skus(self) -> np.ndarray:
        """Each pair's product sku, in the order of the pairs."""
        return self.products["sku"].to_numpy()[self.product_index]

    @cached_property
    def candidates(self) -> pd.DataFrame:
        """Each pair's catalog row plus `rule_score` (the rule total squashed to 0..1, before
        the blend weighs it) and `rule_raw` (the unsquashed rule total): for a ranker that
        reads product columns by name."""
        rows = self.products.iloc[self.product_index]
        return rows.assign(**{RULE_RAW: self.rule_raw, RULE_SCORE: self.rule_score})


@runtime_checkable
class Ranker(Protocol):
    """Scores (shopper, product) pairs: higher = shown earlier.

    The same pairs give the same scores; a product the ranker never saw (newer than the
    model) still gets a score; ties are left to the caller, which breaks them the same way
    every time (price, then sku, in the engine; sku in an evaluation).
    """

    @property
    def name(self) -> str:
        """A model id, or a baseline's name such as `RULES_ONLY`."""
        ...

    def score(self, pairs: Pairs) -> np.ndarray:
        """One score per pair, in the order of `pairs`."""
        ...


@dataclass(frozen=True)
class RulesOnlyRanker:
    """The article rules alone: what the engine serves with no model."""

    name: str = RULES_ONLY

    def score(self, pairs: Pairs) -> np.ndarray:
        """The blended rules part of each pair, as the engine computed it."""
        return np.asarray(pairs.rule_score, float)
