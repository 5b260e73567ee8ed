"""The engine's tables, worked out once per catalog, rule book and weights version.

Every shopper's scores are then a few matrix products over these (`engine.Engine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from recommender.catalog.products import Catalog
from recommender.catalog.weights import Weights
from recommender.shopper.guidance import PLACEMENTS
from recommender.shopper.rules import RuleBook
from recommender.shopper.safety import Caution
from recommender.shopper.scoring import price_then_sku_rank

CARD_COLUMNS = ("price", "support_level", "fits", "features")


@dataclass(frozen=True)
class CompiledTables:
    """What the engine precomputes once per catalog and weights."""

    product_rule_affinity: np.ndarray  # products x rules
    rule_strength: np.ndarray  # rule weight x merchandiser multiplier
    boosts: np.ndarray
    prices: np.ndarray
    in_stock: np.ndarray
    category_codes: np.ndarray
    placement_masks: dict[str, np.ndarray]  # placement id -> products it keeps out of the top
    caution_masks: dict[str, np.ndarray]
    categories: np.ndarray  # each product's category, in catalog order
    rows: list[dict]
    skus: list[str]
    attributes: list[dict]  # what a card may say about the product (support, fits, features)
    tie_rank: np.ndarray  # the last tie-break of equal scores: lower price, then SKU
    sized: dict[int, str]  # products that come in sizes: catalog row -> sku


def compile_tables(
    catalog: Catalog, rules: RuleBook, weights: Weights, cautions: Sequence[Caution]
) -> CompiledTables:
    """The tables for one catalog, rule book, weights and set of product cautions."""
    products = catalog.products
    tags = catalog.tag_matrix(list(rules.target_keys))
    return CompiledTables(
        product_rule_affinity=(tags @ rules.affinity.T) * _carries_only(catalog, rules),
        rule_strength=np.array([r.weight * weights.multiplier(r.id) for r in rules.rules]),
        boosts=np.array([weights.boost(sku) for sku in products["sku"]]),
        prices=products["price"].to_numpy(float),
        in_stock=products["in_stock"].to_numpy(bool),
        category_codes=products["category"].astype("category").cat.codes.to_numpy(),
        placement_masks={
            p.id: products["category"].isin(p.categories).to_numpy() for p in PLACEMENTS
        },
        caution_masks={c.id: c.applies_to(catalog) for c in cautions},
        categories=products["category"].to_numpy(str),
        rows=products.reindex(columns=["sku", "name", "category", "price", "image", "url"])
        .fillna({"image": "", "url": ""})
        .to_dict("records"),
        skus=products["sku"].tolist(),
        attributes=products.reindex(columns=list(CARD_COLUMNS)).fillna("").to_dict("records"),
        tie_rank=price_then_sku_rank(products["price"].to_numpy(float), products["sku"].tolist()),
        sized={
            row: sku for row, sku in enumerate(products["sku"]) if sku in catalog.sizes.sized_skus
        },
    )


def _carries_only(catalog: Catalog, rules: RuleBook) -> np.ndarray:
    """Products x rules, 0/1: does the product carry one of the rule's `only` keys (1 where the
    rule names none)."""
    carries = np.ones((len(catalog.products), len(rules.rules)))
    for column, rule in enumerate(rules.rules):
        if rule.only:
            carries[:, column] = catalog.tag_matrix(list(rule.only)).any(axis=1)
    return carries
