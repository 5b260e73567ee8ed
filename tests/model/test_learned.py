"""What the learned re-ranker learnt about a product is a shift of its score for every shopper,
and a product it never saw is scored as an average known one: neither buried nor pushed up."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.model.features import MODEL_COLUMNS, SKU_CODE
from recommender.model.learned import LambdaRanker
from recommender.model.served import ServedModel

SKU = MODEL_COLUMNS.index(SKU_CODE)


def _with_each_sku(row: np.ndarray, model: LambdaRanker) -> np.ndarray:
    """`row` once per product the model knows, then once as a product it never saw."""
    rows = np.repeat(row[None, :], len(model.sku_vocabulary) + 1, axis=0)
    rows[:-1, SKU] = np.arange(len(model.sku_vocabulary))
    rows[-1, SKU] = np.nan
    return rows


@pytest.fixture(scope="module")
def shopper_rows(small_model: LambdaRanker, small_shop_frames) -> np.ndarray:
    """Two real training rows of different shoppers and products."""
    frame = small_shop_frames.train.features(small_model.sku_vocabulary)
    rows = frame[list(MODEL_COLUMNS)].to_numpy(np.float32)
    return rows[[0, len(rows) // 2]]


def test_the_model_knows_the_products_it_learnt_from(small_model, small_shop_frames):
    shown = set(small_shop_frames.train.rows["sku"])
    assert set(small_model.sku_vocabulary) <= shown
    assert len(small_model.sku_vocabulary) > 5


def test_what_the_model_learnt_about_a_product_moves_its_score_alike_for_every_shopper(
    small_model, shopper_rows
):
    first, second = (small_model.predict(_with_each_sku(r, small_model)) for r in shopper_rows)
    # Products differ in their own merit (the model did learn something per product) ...
    assert np.ptp(first[:-1]) > 0.01
    # ... by the same amounts whoever the shopper is.
    np.testing.assert_allclose(first - first[0], second - second[0], atol=1e-9)


def test_a_product_the_model_never_saw_scores_as_an_average_known_product(
    small_model, shopper_rows
):
    for row in shopper_rows:
        scores = small_model.predict(_with_each_sku(row, small_model))
        assert scores[-1] == pytest.approx(scores[:-1].mean(), abs=1e-9)


def test_serving_from_the_saved_files_keeps_the_new_products_score(small_model, shopper_rows):
    served = ServedModel.from_saved(small_model.model_text(), small_model.saved_state())
    rows = _with_each_sku(shopper_rows[0], small_model)
    assert small_model.unknown_sku_shift_ != 0.0
    assert np.array_equal(served.predict(rows), small_model.predict(rows))
    reloaded = LambdaRanker.from_saved(small_model.model_text(), small_model.saved_state())
    assert np.array_equal(reloaded.predict(rows), small_model.predict(rows))


@pytest.mark.parametrize("shift", [float("nan"), float("inf"), 1e9, "0.5", True, None])
def test_a_saved_state_with_a_senseless_new_product_shift_is_refused_by_name(small_model, shift):
    state = {**small_model.saved_state(), "unknown_sku_shift": shift}
    for read in (ServedModel.from_saved, LambdaRanker.from_saved):
        with pytest.raises(ValueError, match="unknown_sku_shift"):
            read(small_model.model_text(), state)
