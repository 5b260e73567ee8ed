"""The model comparison table the analyst page shows, built without the page."""

from __future__ import annotations

import pandas as pd

from training import analytics
from training.full_lists import HIT_RATE
from training.metrics import PRIMARY_METRIC
from training.pipeline import train_candidate


def test_no_models_gives_an_empty_comparison(settings):
    assert analytics.model_comparison(settings).empty


def test_one_trained_model_gives_its_own_row_and_one_row_per_baseline_it_met(settings):
    model_id = train_candidate(settings, seed=0).card.model_id
    comparison = analytics.model_comparison(settings).set_index("ranker")
    assert {model_id, "rules-only", "popularity"} <= set(comparison.index)
    assert (comparison["model"] == model_id).all()
    baselines = comparison.drop(index=model_id)
    # Only the model's own row says whether it is promoted and trusted; baselines show its lead.
    assert comparison.loc[model_id, "promoted"] is False
    assert comparison.loc[model_id, "trusted"] in (True, False)
    assert baselines["promoted"].isna().all() and baselines["trusted"].isna().all()
    assert pd.isna(comparison.loc[model_id, analytics.LEAD_COLUMN])
    lead = comparison.loc["rules-only", analytics.LEAD_COLUMN]
    assert lead[0] in "+-" and lead.count("[") == 1 and lead.endswith("]")
    metrics = analytics.comparable_metrics(comparison)
    assert PRIMARY_METRIC in metrics and set(metrics) <= set(comparison.columns)


def test_only_metrics_the_table_has_are_offered_in_the_usual_order():
    table = pd.DataFrame({HIT_RATE: [0.4], "model": ["m1"], PRIMARY_METRIC: [0.3]})
    assert analytics.comparable_metrics(table) == [PRIMARY_METRIC, HIT_RATE]
