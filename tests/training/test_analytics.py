"""The model comparison table the analyst page shows, built without the page."""

from __future__ import annotations

import pandas as pd

from training import analytics
from training.counterfactual import PRIMARY_ESTIMATOR
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
    assert set(metrics) <= set(comparison.columns)
    # The chart opens on the corrected estimate; the uncorrected metric is offered, named biased.
    assert metrics[0] == analytics.corrected_name(PRIMARY_ESTIMATOR)
    assert analytics.biased_name(PRIMARY_METRIC) in metrics
    assert PRIMARY_METRIC not in comparison.columns  # never shown without its "biased" mark
    assert comparison[metrics[0]].notna().all()  # every ranker has its corrected estimate


def test_only_metrics_the_table_has_are_offered_corrected_first_then_the_usual_order():
    table = pd.DataFrame(
        {
            analytics.biased_name(HIT_RATE): [0.4],
            "model": ["m1"],
            analytics.biased_name(PRIMARY_METRIC): [0.3],
            analytics.corrected_name("ips dcg@5"): [0.2],
            analytics.corrected_name(PRIMARY_ESTIMATOR): [0.1],
        }
    )
    assert analytics.comparable_metrics(table) == [
        analytics.corrected_name(PRIMARY_ESTIMATOR),
        analytics.corrected_name("ips dcg@5"),
        analytics.biased_name(PRIMARY_METRIC),
        analytics.biased_name(HIT_RATE),
    ]
