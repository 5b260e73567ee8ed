"""The loop over time, on the simulator: log, train, promote, serve, and again.

An analyst's shop logs feedback under rules-only, trains and promotes; the next logs come from
shoppers served by that model (with its own explore sessions), and so on. Each promoted engine
is judged by the simulator's truth on fresh shoppers.
"""

from __future__ import annotations

import pytest

from training.blend_check import learning_rounds

pytest.importorskip("lightgbm")


@pytest.mark.slow
@pytest.mark.timeout(1800)  # three rounds of 4,000 sessions each, trained on all so far: minutes
def test_three_rounds_of_train_and_promote_never_fall_below_rules_only(engine):
    ratios = learning_rounds(engine, seed=3, rounds=3, sessions=4000, shoppers=1000)

    assert all(ratio >= 1.0 for ratio in ratios), ratios  # no round serves worse than the rules
    assert ratios[-1] >= ratios[0], ratios  # learning from its own logs does not drift down
