"""The blend fitted from the logs serves shoppers well: judged by the simulator's truth.

After a plain `train` (which fits the model weight) and `models promote` (which proposes it)
with the shipped weights.toml, the served list of fresh shoppers is within 2% of the best
model weight's true NDCG@5, better than rules-only, and at least 1.02 times stock LightGBM
LambdaRank ranked under the same limits.
"""

from __future__ import annotations

import pytest

from training.blend_check import check_blend

pytest.importorskip("lightgbm")

# At least 1.02 times stock LambdaRank alone in every scenario (issue 21). Seed 2 is the shop
# this test has always used; `python -m benchmarks evaluation_bench` gives five shops a scenario.
OVER_STOCK = 1.02


@pytest.mark.slow
@pytest.mark.timeout(1800)  # three shops of 8,000 sessions and their truth: minutes of CPU
@pytest.mark.parametrize(
    ("scenario", "explore_share", "new_share"),
    [
        ("5% explore", 0.05, 0.0),
        ("2% explore", 0.02, 0.0),
        ("a quarter of the catalog new", 0.05, 0.25),
    ],
)
def test_the_fitted_blend_serves_near_the_best_weight_and_better_than_stock_lambdarank(
    engine, scenario, explore_share, new_share
):
    check = check_blend(engine, seed=2, explore_share=explore_share, new_share=new_share)

    assert check.within_of_best >= 0.98, (check.fitted_weight, check.grid_ratios)
    assert check.fitted_ratio >= OVER_STOCK * check.baseline_alone_ratio, check
    assert check.fitted_ratio > 1.0  # better than the rules alone
