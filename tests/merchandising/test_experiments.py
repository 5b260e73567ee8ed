"""The experiment switch: configured shares of sessions run without boosts or the model."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from recommender.catalog.weights import Weights, parse_weights
from recommender.errors import CatalogError
from recommender.merchandising.experiments import CONTROL, NO_BOOST, NO_MODEL, assign_experiment


def test_the_arms_follow_the_configured_shares():
    weights = Weights(blend_model=0.4, blend_boost=0.3, no_boost_share=0.2, no_model_share=0.1)
    rng = np.random.default_rng(7)
    counts = Counter(assign_experiment(rng, weights)[0] for _ in range(20_000))
    assert counts[NO_BOOST] / 20_000 == pytest.approx(0.2, abs=0.015)
    assert counts[NO_MODEL] / 20_000 == pytest.approx(0.1, abs=0.015)
    assert counts[CONTROL] / 20_000 == pytest.approx(0.7, abs=0.015)


def test_each_arm_switches_off_only_its_part_of_the_blend():
    weights = Weights(blend_model=0.4, blend_boost=0.3, no_boost_share=0.5, no_model_share=0.5)
    served = {}
    rng = np.random.default_rng(1)
    while len(served) < 2:
        arm, arm_weights = assign_experiment(rng, weights)
        served[arm] = arm_weights
    assert (served[NO_BOOST].blend_boost, served[NO_BOOST].blend_model) == (0.0, 0.4)
    assert (served[NO_MODEL].blend_boost, served[NO_MODEL].blend_model) == (0.3, 0.0)
    assert served[NO_BOOST].version != served[NO_MODEL].version != weights.version


def test_with_no_shares_configured_every_session_is_control():
    rng = np.random.default_rng(3)
    weights = Weights()
    served = [assign_experiment(rng, weights) for _ in range(500)]
    assert all(arm == CONTROL and arm_weights is weights for arm, arm_weights in served)


def test_a_share_above_half_is_refused_by_name():
    data = {"experiment": {"no_boost_share": 0.6, "no_model_share": "some"}}
    with pytest.raises(CatalogError) as caught:
        parse_weights(data, set(), set(), version="t")
    assert caught.value.problems == [
        "weights.toml [experiment] no_boost_share: 0.6 is outside 0 to 0.5",
        "weights.toml [experiment] no_model_share: 'some' is not a number",
    ]
