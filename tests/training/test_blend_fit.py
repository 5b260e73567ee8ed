"""The blend fitted from the logs serves shoppers well: judged by the simulator's truth.

After a plain `train` (which fits the model weight) and `models promote` (which proposes it)
with the shipped weights.toml, the served list of fresh shoppers is within 2% of the best
model weight's true NDCG@5 and beats stock LightGBM LambdaRank ranked under the same limits.
"""

from __future__ import annotations

import pytest

from training.blend_check import check_blend

pytest.importorskip("lightgbm")


@pytest.mark.slow
@pytest.mark.timeout(1800)  # three shops of 8,000 sessions and their truth: minutes of CPU
@pytest.mark.parametrize(
    ("explore_share", "new_share"),
    [(0.05, 0.0), (0.02, 0.0), (0.05, 0.25)],
    ids=["5% explore", "2% explore", "a quarter of the catalog new"],
)
def test_the_fitted_blend_serves_near_the_best_weight_and_beats_stock_lambdarank(
    engine, explore_share, new_share
):
    check = check_blend(engine, seed=2, explore_share=explore_share, new_share=new_share)

    assert check.within_of_best >= 0.98, (check.fitted_weight, check.grid_ratios)
    assert check.fitted_ratio >= 1.02 * check.baseline_alone_ratio, check
    assert check.fitted_ratio > 1.0  # better than the rules alone
