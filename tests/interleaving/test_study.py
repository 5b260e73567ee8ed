"""On the simulator: interleaving finds a clearly better ranker in a few hundred sessions, where
an A/B test of purchase rates needs many more, and it does not prefer a worse one."""

from __future__ import annotations

import numpy as np
import pytest

from training.interleaving_study import (
    ab_detects,
    ab_purchases,
    build_pool,
    interleaving_detects,
    interleaving_wins,
    sessions_needed,
)

SHOPPERS = 600


@pytest.fixture(scope="module")
def better(engine):
    """A candidate that sees the shoppers' hidden taste through some noise."""
    return build_pool(engine, SHOPPERS, noise=0.5, seed=21)


def test_interleaving_finds_a_clearly_better_ranker_in_300_sessions(better):
    served_rate, candidate_rate = better.true_purchase_rates()
    assert candidate_rate > served_rate  # the candidate really is better in this world

    wins, losses = interleaving_wins(better, 300, repeats=50, rng=np.random.default_rng(1))
    found_by_interleaving = interleaving_detects(wins, losses).mean()
    served, candidate, per_arm = ab_purchases(better, 300, repeats=50, rng=np.random.default_rng(1))
    found_by_ab = ab_detects(served, candidate, per_arm).mean()
    assert found_by_interleaving >= 0.8
    assert found_by_ab < found_by_interleaving - 0.2  # the same sessions split A/B miss it often


def test_interleaving_needs_fewer_sessions_than_an_ab_test(better):
    needed = sessions_needed(better, seed=3, repeats=100)
    assert needed["interleaving"] is not None and needed["ab"] is not None
    assert needed["interleaving"] * 2 <= needed["ab"]


def test_a_candidate_that_ranks_at_random_is_not_found_better(engine):
    random_order = build_pool(engine, SHOPPERS, noise=1e6, seed=21)
    wins, losses = interleaving_wins(random_order, 800, repeats=20, rng=np.random.default_rng(2))
    assert not interleaving_detects(wins, losses).any()
    assert (losses > wins).all()  # the rules know something a random order does not
