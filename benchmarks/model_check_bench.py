"""What the model check costs (`recommender.model.model_files.check_files`).

A model of the default size (100 trees of 5 leaves) is fitted on random rows; the rows are the
structural check in Python (run again by every worker when it loads a model) and the separate
limited process (run by import, train and promote only), each the median of a few runs.

    .venv/bin/python -m benchmarks model_check_bench
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

from recommender.model.features import MODEL_COLUMNS, POSITION
from recommender.model.learned import LambdaRanker
from recommender.model.model_probe import probe_model_text
from recommender.model.model_text_check import check_model_text

REPEATS = 3
SESSIONS = 600


def _model_text() -> str:
    rng = np.random.default_rng(0)
    rows = SESSIONS * 5
    X = pd.DataFrame(
        rng.integers(0, 4, size=(rows, len(MODEL_COLUMNS))).astype(float),
        columns=list(MODEL_COLUMNS),
    )
    X[POSITION] = np.tile(np.arange(1, 6), SESSIONS)
    estimator = LambdaRanker(min_child_samples=5).fit(
        X, rng.integers(0, 4, rows), group=np.full(SESSIONS, 5)
    )
    return estimator.model_text()


def _median(action) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> list[dict]:
    """Rows: the model check's time, structural and in the limited process."""
    text = _model_text()
    names = [name.replace(":", "__") for name in MODEL_COLUMNS]
    structural = _median(lambda: check_model_text(text, names))
    probe = _median(lambda: probe_model_text(text, len(names), "benchmark"))
    return [
        {
            "name": "structural check, 100 trees (per worker load)",
            "value": round(structural * 1000, 2),
            "unit": "ms",
            "target": "< 50 ms",
        },
        {
            "name": "limited-process load + prediction (import/train/promote)",
            "value": round(probe, 2),
            "unit": "s",
            "target": "< 5 s",
        },
    ]
