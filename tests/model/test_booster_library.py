"""Serving scores a saved model through LightGBM's C library alone: the scores are the ones
LightGBM's Python package gives, bit for bit, and a shopper's command never waits for
scikit-learn or SciPy to load."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recommender.model.features import MODEL_COLUMNS, SKU_CODE
from recommender.model.learned import LambdaRanker
from recommender.model.served import LearnedReranker, ServedModel
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import MAX_K, build_engine
from tests.strategies import raw_answers

# Feature values as the features module writes them (0/1 flags, codes, prices, rule scores),
# plus the awkward ones: a missing sku code, negative codes, values beyond any threshold.
_VALUES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 1e-40, np.nan]),
    st.floats(-1e6, 1e6, width=32),
    st.integers(0, 200).map(float),
)


@pytest.fixture(scope="module")
def served(small_model: LambdaRanker) -> ServedModel:
    """The small model as serving loads it from its saved text, once: the properties below are
    about its scores and lists, and loading the text is the same every time."""
    return ServedModel.from_saved(small_model.model_text(), small_model.saved_state())


@settings(max_examples=40, deadline=None)
@given(
    rows=arrays(
        np.float32, st.tuples(st.integers(1, 10), st.just(len(MODEL_COLUMNS))), elements=_VALUES
    )
)
def test_the_served_model_scores_exactly_as_lightgbm_does(
    small_model: LambdaRanker, served: ServedModel, rows
):
    assert np.array_equal(served.predict(rows), small_model.predict(rows))
    assert np.array_equal(served.positive_score(rows), small_model.positive_score(rows))


def test_a_new_sku_is_scored_the_same_way_too(small_model: LambdaRanker):
    served = ServedModel.from_saved(small_model.model_text(), small_model.saved_state())
    rows = np.ones((3, len(MODEL_COLUMNS)), dtype=np.float32)
    rows[:, MODEL_COLUMNS.index(SKU_CODE)] = [np.nan, 0.0, 10_000.0]
    assert np.array_equal(served.predict(rows), small_model.predict(rows))
    assert served.sku_vocabulary == tuple(small_model.sku_vocabulary)


def test_loading_the_served_model_imports_neither_lightgbm_nor_scikit_learn(small_model, tmp_path):
    (tmp_path / "model.txt").write_text(small_model.model_text())
    script = (
        "import json, sys\n"
        "from recommender.model.served import ServedModel\n"
        f"text = open({str(tmp_path / 'model.txt')!r}).read()\n"
        f"model = ServedModel.from_saved(text, {small_model.saved_state()!r})\n"
        "print(sorted(m for m in ('lightgbm', 'sklearn', 'scipy') if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raws=st.lists(raw_answers(red_flags=False), min_size=20, max_size=40))
def test_shoppers_get_the_same_lists_from_the_saved_model_as_from_the_fitted_one(
    engine, small_model, served, raws
):
    shoppers = [parse_answers(raw) for raw in raws]
    weights = replace(engine.weights, blend_model=1.0)

    def results(estimator) -> list:
        serving = build_engine(engine.catalog, weights, LearnedReranker("m", estimator))
        return serving.recommend_many(shoppers, MAX_K)

    from_saved, from_fitted = results(served), results(small_model)

    assume(any(r.items for r in from_saved))  # a batch where products are shown
    assert [json.dumps(r.to_json_dict()) for r in from_saved] == [
        json.dumps(r.to_json_dict()) for r in from_fitted
    ]
    # The model took part: every product shown carries a model part.
    assert all(item.score_parts.model > 0 for r in from_saved for item in r.items)
