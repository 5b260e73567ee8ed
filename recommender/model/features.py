"""Numeric features for the learned re-ranker, built the same way at training and at serving.

One row is one (shopper, product) pair: the shopper's answer features (multi-hot), the
product's attributes, the rule score and crossings of the two (pain area x product area,
activity x product fit): MODEL_COLUMNS. Training rows also carry the position the product was
shown at; it is never a model input but tells the learner how much of a click was the slot's
doing (see `recommender.model.learned`), so the model cannot prefer what happened to be shown first.

Rows are built in bulk with numpy: training turns up to millions of shown products into rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from recommender.catalog.products import AREAS, CATEGORIES, FITS, SUPPORT_LEVELS
from recommender.shopper.features import all_feature_names
from recommender.shopper.ranker import RULE_RAW, RULE_SCORE, Pairs

ANSWER_FEATURES: tuple[str, ...] = tuple(sorted(all_feature_names()))
_ANSWER_INDEX = {name: i for i, name in enumerate(ANSWER_FEATURES)}

SKU_CODE = "sku_code"
CATEGORY_CODE = "category_code"
POSITION = "position"
# Which product fit serves which activity answer (`sport` covers gym and team sports).
ACTIVITY_FITS = {
    "running": "running",
    "walking": "walking",
    "hiking": "walking",
    "gym_lifting": "sport",
    "team_sports": "sport",
    "yoga": "yoga",
    "cycling": "cycling",
}
PRODUCT_COLUMNS = (
    SKU_CODE,
    CATEGORY_CODE,
    "price",
    "support",
    "heat",
    "compression",
    "magnetic",
    *(f"serves_{area}" for area in AREAS),
    *(f"fits_{fit}" for fit in FITS),
)
CROSSING_COLUMNS = ("area_match", "fit_match", "answered_areas")
FEATURE_COLUMNS: tuple[str, ...] = (
    *(f"answer:{name}" for name in ANSWER_FEATURES),
    *PRODUCT_COLUMNS,
    RULE_SCORE,
    RULE_RAW,
    *CROSSING_COLUMNS,
    POSITION,
)
MODEL_COLUMNS: tuple[str, ...] = tuple(c for c in FEATURE_COLUMNS if c != POSITION)
CATEGORICAL_COLUMNS = (SKU_CODE, CATEGORY_CODE)


def answer_matrix(feature_sets: Sequence[frozenset[str]]) -> np.ndarray:
    """Shoppers x ANSWER_FEATURES, 1 where the shopper's answers give that feature."""
    matrix = np.zeros((len(feature_sets), len(ANSWER_FEATURES)), dtype=np.float32)
    for row, features in enumerate(feature_sets):
        columns = [_ANSWER_INDEX[f] for f in features if f in _ANSWER_INDEX]
        matrix[row, columns] = 1.0
    return matrix


def product_attributes(products: pd.DataFrame, sku_vocabulary: Sequence[str]) -> pd.DataFrame:
    """One row of PRODUCT_COLUMNS per catalog product, indexed by sku.

    A sku outside `sku_vocabulary` (a product newer than the model) gets no sku code (NaN), so
    the model falls back on its category and attributes.
    """
    sku_codes = {sku: code for code, sku in enumerate(sku_vocabulary)}
    frame = pd.DataFrame(index=pd.Index(products["sku"], name="sku"))
    frame[SKU_CODE] = [sku_codes.get(sku, np.nan) for sku in products["sku"]]
    frame[CATEGORY_CODE] = [_code(c, CATEGORIES) for c in products["category"]]
    frame["price"] = products["price"].to_numpy(float)
    frame["support"] = [_code(s, SUPPORT_LEVELS) for s in _column(products, "support_level")]
    for flag in ("heat", "compression", "magnetic"):
        frame[flag] = products[flag].to_numpy(float)
    areas = [set(text.split()) for text in _column(products, "areas")]
    fits = [set(text.split()) for text in _column(products, "fits")]
    for area in AREAS:
        frame[f"serves_{area}"] = [float(area in a) for a in areas]
    for fit in FITS:
        frame[f"fits_{fit}"] = [float(fit in f) for f in fits]
    return frame.astype(np.float32)


def cached_product_table(
    cache: dict[str, np.ndarray], pairs: Pairs, sku_vocabulary: Sequence[str]
) -> np.ndarray:
    """Every product's attribute row (float32), built once per catalog version and kept in
    `cache` for every later shopper; a new catalog version replaces the old one's table."""
    version = pairs.catalog_version
    table = cache.get(version) if version is not None else None
    if table is None:
        table = product_attributes(pairs.products, sku_vocabulary).to_numpy(np.float32)
        if version is not None:
            cache.clear()
            cache[version] = table
    return table


def feature_rows(
    answers: np.ndarray,
    products: np.ndarray,
    rule_raw: np.ndarray,
    rule_score: np.ndarray,
    position: np.ndarray,
) -> pd.DataFrame:
    """Training and evaluation rows: one per (shopper, product), in FEATURE_COLUMNS order.

    `answers` and `products` hold one row per output row (already gathered), from
    `answer_matrix` and `product_attributes`. The model's columns stay one float32 matrix,
    which the learner reads without a copy (a million events' rows are hundreds of MB).
    """
    model_part = pd.DataFrame(
        feature_matrix(answers, products, rule_raw, rule_score),
        columns=list(MODEL_COLUMNS),
        copy=False,
    )
    return model_part.assign(**{POSITION: np.asarray(position, dtype=np.float32)})


def feature_matrix(
    answers: np.ndarray, products: np.ndarray, rule_raw: np.ndarray, rule_score: np.ndarray
) -> np.ndarray:
    """The model's input as a float32 matrix in MODEL_COLUMNS order (no DataFrame: serving
    builds one per shopper, and the matrix alone is several times quicker)."""
    return np.hstack(
        [
            answers,
            products,
            np.column_stack([rule_score, rule_raw]).astype(np.float32),
            _crossings(answers, products),
        ]
    ).astype(np.float32, copy=False)


def one_shopper_matrix(
    shopper: np.ndarray, products: np.ndarray, rule_raw: np.ndarray, rule_score: np.ndarray
) -> np.ndarray:
    """`feature_matrix` for one shopper (`shopper`: one row of `answer_matrix`) and many
    products: the same values, written into one preallocated matrix. Serving calls this once
    per shopper, so it avoids the temporary copies of the general version."""
    answers = shopper.reshape(-1)
    n_answers, n_products = len(answers), products.shape[1]
    out = np.empty((len(products), len(MODEL_COLUMNS)), dtype=np.float32)
    out[:, :n_answers] = answers
    out[:, n_answers : n_answers + n_products] = products
    at = n_answers + n_products
    out[:, at] = rule_score
    out[:, at + 1] = rule_raw
    pain = answers[_PAIN]
    out[:, at + 2] = products[:, _SERVED] @ pain
    out[:, at + 3] = products[:, _FITS] @ answers[_ACTIVITIES]
    out[:, at + 4] = pain.sum()
    return out


_PAIN = np.array([_ANSWER_INDEX[f"pain:{a}"] for a in AREAS])
_SERVED = np.array([PRODUCT_COLUMNS.index(f"serves_{a}") for a in AREAS])
_ACTIVITIES = np.array([_ANSWER_INDEX[f"activity:{a}"] for a in ACTIVITY_FITS])
_FITS = np.array([PRODUCT_COLUMNS.index(f"fits_{fit}") for fit in ACTIVITY_FITS.values()])


def _crossings(answers: np.ndarray, products: np.ndarray) -> np.ndarray:
    pain = answers[:, _PAIN]
    fit_match = (answers[:, _ACTIVITIES] * products[:, _FITS]).sum(axis=1)
    area_match = (pain * products[:, _SERVED]).sum(axis=1)
    return np.column_stack([area_match, fit_match, pain.sum(axis=1)]).astype(np.float32)


def pair_features(pairs: Pairs, product_table: np.ndarray) -> np.ndarray:
    """The learned model's input (MODEL_COLUMNS) for every pair, given every product's
    attribute row (`product_attributes` of `pairs.products`, as a float32 matrix)."""
    return feature_matrix(
        answer_matrix(pairs.shopper_features)[pairs.shopper_index],
        product_table[pairs.product_index],
        pairs.rule_raw,
        pairs.rule_score,
    )


def _column(products: pd.DataFrame, name: str) -> list[str]:
    if name not in products:
        return [""] * len(products)
    return [str(v) if isinstance(v, str) else "" for v in products[name]]


def _code(value: object, vocabulary: Sequence[str]) -> float:
    return float(vocabulary.index(value)) if value in vocabulary else np.nan
