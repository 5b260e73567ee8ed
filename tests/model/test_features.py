"""The learned model's features: the same numbers at training and at serving."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.model.features import (
    ANSWER_FEATURES,
    FEATURE_COLUMNS,
    MODEL_COLUMNS,
    POSITION,
    SKU_CODE,
    answer_matrix,
    feature_matrix,
    feature_rows,
    one_shopper_matrix,
    product_attributes,
)


def test_a_shopper_row_marks_exactly_the_answered_features():
    matrix = answer_matrix([frozenset({"pain:knee", "activity:running", "not-a-feature"})])
    marked = {ANSWER_FEATURES[i] for i in np.flatnonzero(matrix[0])}
    assert marked == {"pain:knee", "activity:running"}


def test_a_product_newer_than_the_model_has_no_sku_code_but_keeps_its_attributes(engine):
    products = engine.catalog.products.head(3)
    known = tuple(products["sku"].iloc[:2])
    table = product_attributes(products, known)
    assert table[SKU_CODE].iloc[:2].tolist() == [0.0, 1.0]
    assert np.isnan(table[SKU_CODE].iloc[2])
    assert table.drop(columns=SKU_CODE).notna().all().all()


def test_serving_one_shopper_builds_the_same_rows_as_training(engine):
    products = product_attributes(engine.catalog.products, ()).to_numpy(np.float32)
    shopper = answer_matrix([frozenset({"pain:lower_back", "activity:walking"})])
    rng = np.random.default_rng(0)
    raw, score = rng.random(len(products)), rng.random(len(products))

    quick = one_shopper_matrix(shopper, products, raw, score)
    general = feature_matrix(np.repeat(shopper, len(products), axis=0), products, raw, score)
    np.testing.assert_array_equal(quick, general)
    assert quick.shape == (len(products), len(MODEL_COLUMNS))


def test_training_rows_carry_the_position_but_the_model_never_reads_it(engine):
    products = product_attributes(engine.catalog.products.head(2), ()).to_numpy(np.float32)
    shoppers = answer_matrix([frozenset({"pain:knee"})] * 2)
    rows = feature_rows(shoppers, products, np.zeros(2), np.zeros(2), position=np.array([1, 2]))
    assert isinstance(rows, pd.DataFrame) and list(rows.columns) == list(FEATURE_COLUMNS)
    assert rows[POSITION].tolist() == [1.0, 2.0]
    assert POSITION not in MODEL_COLUMNS
