"""Serving scores a saved model through LightGBM's C library alone: the scores are the ones
LightGBM's Python package gives, bit for bit, and a shopper's command never waits for
scikit-learn or SciPy to load."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recommender.model.features import MODEL_COLUMNS, SKU_CODE
from recommender.model.learned import LambdaRanker
from recommender.model.served import ServedModel

# Feature values as the features module writes them (0/1 flags, codes, prices, rule scores),
# plus the awkward ones: a missing sku code, negative codes, values beyond any threshold.
_VALUES = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 0.5, 1e-40, np.nan]),
    st.floats(-1e6, 1e6, width=32),
    st.integers(0, 200).map(float),
)


@settings(max_examples=40, deadline=None)
@given(
    rows=arrays(
        np.float32, st.tuples(st.integers(1, 30), st.just(len(MODEL_COLUMNS))), elements=_VALUES
    )
)
def test_the_served_model_scores_exactly_as_lightgbm_does(small_model: LambdaRanker, rows):
    served = ServedModel.from_saved(small_model.model_text(), small_model.saved_state())
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
