"""Team-draft interleaving (Radlinski, Kurup and Joachims, 2008): two rankings in one list.

For a share of sessions (`[experiment] interleave_share`) the shopper sees one list drawn from
two rankings of the SAME products: the served ranking and a candidate model's. The two teams
take turns, like captains picking players: the team with fewer picks goes next, a coin decides
when both have as many, and each picks its highest-ranked product not already in the list.
Whichever team's products the shopper clicks, puts in the cart or buys more wins the session.
Each shopper compares the two rankings side by side, so far fewer sessions tell them apart
than an A/B split of purchase rates needs (`training/interleaving_study.py` measures it).

Both rankings order the products the served engine already allowed (safety, stock, budget and
the category cap), so an interleaved list is a reordering of a subset of an allowed list and
obeys every rule an ordinary list does. The candidate model is never asked which products may
be shown, only in which order.

    pick = team_draft(served_skus, candidate_skus, k=5, rng=rng)
    pick.skus, pick.teams, pick.propensities
    winner = preference(credit(dict(zip(pick.skus, pick.teams)), [("KN-104", "click")]))
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

SERVED, CANDIDATE = "served", "candidate"
TEAMS = (SERVED, CANDIDATE)
TIE = "tie"
# A product's credit is its strongest outcome: buying says more than a click.
CREDIT = {"click": 1, "add_to_cart": 2, "purchase": 3}


@dataclass(frozen=True, slots=True)
class Interleaved:
    """The list shown: products in order, the team that picked each, and each one's propensity.

    `propensities[i]` is the probability that `skus[i]` lands at position i + 1 over the coin
    flips of the draft (given the two rankings), as SPEC section 5 defines the column.
    """

    skus: tuple[str, ...]
    teams: tuple[str, ...]
    propensities: tuple[float, ...]

    def team_of(self) -> dict[str, str]:
        """Each shown sku's team."""
        return dict(zip(self.skus, self.teams, strict=True))


def team_draft(
    served: Sequence[str], candidate: Sequence[str], k: int, rng: np.random.Generator
) -> Interleaved:
    """Interleave two rankings of the same products into a list of min(k, n) products."""
    limit = _check_rankings(served, candidate, k)
    skus, teams = _draft(served, candidate, limit, _random_coins(rng))
    chances = _position_chances(served, candidate, limit)
    propensities = tuple(chances[(sku, position)] for position, sku in enumerate(skus))
    return Interleaved(skus, teams, propensities)


def draft_outcomes(
    served: Sequence[str], candidate: Sequence[str], k: int
) -> list[tuple[float, Interleaved]]:
    """Every list the draft can produce, with its probability (they add up to 1).

    A coin is flipped only when both teams have picked as many products, so a list of k
    products needs ceil(k / 2) flips: 8 outcomes for k = 5 (meant for short lists). The
    simulator study uses these to draw many sessions at once.
    """
    limit = _check_rankings(served, candidate, k)
    flips = math.ceil(limit / 2)
    chances = _position_chances(served, candidate, limit)
    outcomes = []
    for coins in itertools.product((True, False), repeat=flips):
        skus, teams = _draft(served, candidate, limit, iter(coins))
        propensities = tuple(chances[(sku, position)] for position, sku in enumerate(skus))
        outcomes.append((0.5**flips, Interleaved(skus, teams, propensities)))
    return outcomes


def credit(team_of: Mapping[str, str], outcomes: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Each team's credit in one session: the sum over its products of the strongest outcome.

    `outcomes` are (sku, event) pairs; impressions, verdicts and products the list did not hold
    earn nothing.
    """
    strongest: dict[str, int] = {}
    for sku, event in outcomes:
        if sku in team_of and event in CREDIT:
            strongest[sku] = max(strongest.get(sku, 0), CREDIT[event])
    totals = dict.fromkeys(TEAMS, 0)
    for sku, points in strongest.items():
        totals[team_of[sku]] += points
    return totals


def preference(totals: Mapping[str, int]) -> str:
    """The session's winner (`candidate` or `served`), or `tie` (also when nothing happened)."""
    if totals[CANDIDATE] > totals[SERVED]:
        return CANDIDATE
    if totals[SERVED] > totals[CANDIDATE]:
        return SERVED
    return TIE


def _check_rankings(served: Sequence[str], candidate: Sequence[str], k: int) -> int:
    if k < 1:
        raise ValueError(f"k must be 1 or more, got {k}")
    if len(set(served)) != len(served) or sorted(served) != sorted(candidate):
        # Safety rests on this: the candidate may only reorder what the served engine allowed.
        raise ValueError("both rankings must hold the same products, each once")
    return min(k, len(served))


def _draft(
    served: Sequence[str], candidate: Sequence[str], limit: int, coins: Iterator[bool]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rankings = {SERVED: served, CANDIDATE: candidate}
    picked = dict.fromkeys(TEAMS, 0)
    next_index = dict.fromkeys(TEAMS, 0)
    skus: list[str] = []
    teams: list[str] = []
    taken: set[str] = set()
    while len(skus) < limit:
        if picked[CANDIDATE] == picked[SERVED]:
            team = CANDIDATE if next(coins) else SERVED
        else:
            team = CANDIDATE if picked[CANDIDATE] < picked[SERVED] else SERVED
        ranking = rankings[team]
        while ranking[next_index[team]] in taken:
            next_index[team] += 1
        sku = ranking[next_index[team]]
        taken.add(sku)
        skus.append(sku)
        teams.append(team)
        picked[team] += 1
    return tuple(skus), tuple(teams)


def _random_coins(rng: np.random.Generator) -> Iterator[bool]:
    while True:
        yield bool(rng.random() < 0.5)


def _position_chances(
    served: Sequence[str], candidate: Sequence[str], limit: int
) -> dict[tuple[str, int], float]:
    """P(product at position) over the coin flips, exactly, without listing every coin sequence.

    What a team picks next depends only on which products are taken and how many each team
    has, so the draft is followed as a distribution over those states. Orders that take the
    same products merge (a round where the teams pick different products ends the same either
    way round), which keeps the states few even for long lists.
    """
    rankings = {SERVED: served, CANDIDATE: candidate}
    states: dict[tuple[frozenset[str], int, int], float] = {(frozenset(), 0, 0): 1.0}
    chances: dict[tuple[str, int], float] = defaultdict(float)
    for position in range(limit):
        following: dict[tuple[frozenset[str], int, int], float] = defaultdict(float)
        for (taken, by_candidate, by_served), chance in states.items():
            turns: tuple[tuple[str, float], ...]
            if by_candidate == by_served:
                turns = ((CANDIDATE, chance / 2), (SERVED, chance / 2))
            else:
                turns = ((CANDIDATE if by_candidate < by_served else SERVED, chance),)
            for team, share in turns:
                sku = next(s for s in rankings[team] if s not in taken)
                chances[(sku, position)] += share
                mine = team == CANDIDATE
                following[(taken | {sku}, by_candidate + mine, by_served + (not mine))] += share
        states = following
    return chances
