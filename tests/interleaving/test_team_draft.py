"""Team-draft interleaving: fair turns, no repeats, the right length, credit to the right team."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.model.interleaving import (
    CANDIDATE,
    SERVED,
    TIE,
    credit,
    draft_outcomes,
    preference,
    team_draft,
)


@st.composite
def two_rankings(draw):
    skus = [f"P-{n}" for n in range(draw(st.integers(0, 12)))]
    served = draw(st.permutations(skus))
    candidate = draw(st.permutations(skus))
    return list(served), list(candidate), draw(st.integers(1, 8)), draw(st.integers(0, 2**32 - 1))


@settings(max_examples=300, deadline=None)
@given(case=two_rankings())
def test_every_interleaved_list_is_a_fair_draft_of_the_two_rankings(case):
    served, candidate, k, seed = case
    pick = team_draft(served, candidate, k, np.random.default_rng(seed))

    assert len(pick.skus) == min(k, len(served))
    assert len(set(pick.skus)) == len(pick.skus)  # no product twice
    assert set(pick.skus) <= set(served)
    rankings = {SERVED: served, CANDIDATE: candidate}
    for shown in range(len(pick.skus)):
        teams = pick.teams[: shown + 1]
        # Neither team ever gets two picks ahead: each contributes fairly.
        assert abs(teams.count(CANDIDATE) - teams.count(SERVED)) <= 1
        # Each team picks its own best product not already in the list.
        team, taken = pick.teams[shown], set(pick.skus[:shown])
        assert pick.skus[shown] == next(s for s in rankings[team] if s not in taken)


@settings(max_examples=200, deadline=None)
@given(case=two_rankings())
def test_propensities_are_the_true_chances_of_each_position(case):
    served, candidate, k, seed = case
    outcomes = draft_outcomes(served, candidate, k)
    assert sum(chance for chance, _ in outcomes) == pytest.approx(1.0)
    pick = team_draft(served, candidate, k, np.random.default_rng(seed))
    for position, (sku, propensity) in enumerate(zip(pick.skus, pick.propensities, strict=True)):
        expected = sum(c for c, o in outcomes if o.skus[position] == sku)
        assert propensity == pytest.approx(expected)
        assert 0 < propensity <= 1


def test_each_team_leads_the_list_half_the_time():
    served, candidate = ["A", "B", "C", "D"], ["D", "C", "B", "A"]
    rng = np.random.default_rng(4)
    firsts = [team_draft(served, candidate, 4, rng).skus[0] for _ in range(4000)]
    assert firsts.count("A") / 4000 == pytest.approx(0.5, abs=0.03)
    pick = team_draft(served, candidate, 4, rng)
    assert sorted(pick.skus) == ["A", "B", "C", "D"]
    assert pick.propensities[0] == pytest.approx(0.5)


def test_two_rankings_that_agree_show_that_order_whatever_the_coins():
    order = ["A", "B", "C", "D", "E", "F"]
    for seed in range(20):
        pick = team_draft(order, order, 5, np.random.default_rng(seed))
        assert pick.skus == tuple(order[:5])
        assert pick.propensities == (1.0,) * 5


def test_rankings_over_different_products_are_refused():
    # The candidate may only reorder what the served engine allowed, never add to it.
    with pytest.raises(ValueError, match="same products"):
        team_draft(["A", "B"], ["A", "X"], 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="k must be"):
        team_draft(["A"], ["A"], 0, np.random.default_rng(0))


def test_a_purchase_of_a_served_product_outweighs_a_click_on_a_candidate_product():
    team_of = {"A": SERVED, "B": CANDIDATE, "C": SERVED}
    totals = credit(
        team_of, [("B", "click"), ("A", "click"), ("A", "add_to_cart"), ("A", "purchase")]
    )
    assert totals == {SERVED: 3, CANDIDATE: 1}  # a product's strongest outcome counts once
    assert preference(totals) == SERVED


def test_clicks_on_products_the_list_did_not_hold_and_verdicts_earn_nothing():
    team_of = {"A": SERVED, "B": CANDIDATE}
    totals = credit(
        team_of, [("Z", "purchase"), ("B", "impression"), ("B", "helpful"), ("B", "click")]
    )
    assert totals == {SERVED: 0, CANDIDATE: 1}
    assert preference(totals) == CANDIDATE
    assert preference(credit(team_of, [])) == TIE
    assert preference(credit(team_of, [("A", "click"), ("B", "click")])) == TIE


def test_a_long_list_still_gets_exact_propensities():
    order = [f"P-{n}" for n in range(40)]
    reverse = order[::-1]
    pick = team_draft(order, reverse, 30, np.random.default_rng(3))
    assert len(pick.skus) == 30
    # Each side's favourite leads half the time; two rankings that agree leave nothing to chance.
    assert pick.propensities[0] == pytest.approx(0.5)
    assert team_draft(order, order, 30, np.random.default_rng(3)).propensities == (1.0,) * 30
