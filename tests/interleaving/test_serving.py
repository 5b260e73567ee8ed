"""A shop interleaves a named candidate for a share of sessions and records who picked what."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from recommender.errors import InputError
from recommender.feedback import FeedbackStore, purge, read_events, read_picks
from recommender.feedback.records import utc_now
from recommender.feedback.schema import interleaved
from recommender.merchandising.experiments import CONTROL, INTERLEAVE
from recommender.model.interleave_candidate import InterleaveCandidate
from recommender.shop.shopping import FeedbackLog, find_products
from tests.interleaving.conftest import ScoresByName
from training.interleaving import read_interleaving
from training.simulate import ShopperWorld, random_answers

DRAFT = {"pain_areas": ["knee", "lower_back"], "activities": ["walking"], "sitting_hours": 8}


def _interleaving_engine(engine, share=0.5):
    return replace(engine, weights=replace(engine.weights, blend_model=0.5, interleave_share=share))


def test_interleave_sessions_record_the_team_behind_every_product_shown(engine, store):
    served = _interleaving_engine(engine)
    candidate = InterleaveCandidate.build(served, ScoresByName())
    log, rng = FeedbackLog(lambda: store), np.random.default_rng(5)

    shown = [
        find_products(served, DRAFT, log, explore_share=0.0, rng=rng, candidate=candidate)
        for _ in range(60)
    ]

    picks = read_picks(store)
    events = read_events(store)
    arms = Counter(dict(zip(*store_arms(store), strict=True))[s.session_id] for s in shown)
    assert arms[INTERLEAVE] == pytest.approx(30, abs=12) and arms[CONTROL] == 60 - arms[INTERLEAVE]
    interleaved_ids = set(picks["session_id"])
    assert len(interleaved_ids) == arms[INTERLEAVE]
    for one in shown:
        rows = picks.loc[picks["session_id"] == one.session_id]
        if one.session_id not in interleaved_ids:
            assert one.result.items == served.recommend(one.answers, 5).items  # control as ever
            continue
        assert list(rows["sku"]) == [item.sku for item in one.result.items]
        assert list(rows["position"]) == [1, 2, 3, 4, 5]
        assert set(rows["candidate_model"]) == {"m-by-name"}
        assert abs(Counter(rows["team"])["candidate"] - Counter(rows["team"])["served"]) <= 1
        logged = events.loc[events["session_id"] == one.session_id, "propensity"]
        assert logged.between(0, 1, inclusive="right").all()
    # The candidate's ranking really shows: some interleaved lists differ from the served one.
    served_top = [i.sku for i in served.recommend(shown[0].answers, 5).items]
    assert any(
        [i.sku for i in s.result.items] != served_top
        for s in shown
        if s.session_id in interleaved_ids
    )


def store_arms(store):
    from recommender.feedback import read_experiments

    arms = read_experiments(store)
    return arms["session_id"].tolist(), arms["experiment"].tolist()


def test_with_no_candidate_named_nothing_is_interleaved_whatever_the_share(engine, store):
    served = _interleaving_engine(engine, share=0.5)
    log, rng = FeedbackLog(lambda: store), np.random.default_rng(2)
    for _ in range(30):
        find_products(served, DRAFT, log, explore_share=0.0, rng=rng)
    assert read_picks(store).empty
    assert INTERLEAVE not in store_arms(store)[1]


def test_an_exploring_session_in_the_interleave_arm_explores_and_records_no_teams(engine, store):
    served = _interleaving_engine(engine, share=0.5)
    candidate = InterleaveCandidate.build(served, ScoresByName())
    log, rng = FeedbackLog(lambda: store), np.random.default_rng(9)
    shown = [
        find_products(served, DRAFT, log, explore_share=1.0, rng=rng, candidate=candidate)
        for _ in range(20)
    ]
    assert {s.policy for s in shown} == {"explore"}
    assert read_picks(store).empty


def test_purging_old_sessions_removes_their_picks_too(engine, store):
    served = _interleaving_engine(engine, share=0.5)
    candidate = InterleaveCandidate.build(served, ScoresByName())
    log, rng = FeedbackLog(lambda: store), np.random.default_rng(1)
    for _ in range(10):
        find_products(served, DRAFT, log, explore_share=0.0, rng=rng, candidate=candidate)
    assert not read_picks(store).empty

    purge(store, older_than_days=1, now=utc_now() + timedelta(days=2))

    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(interleaved)) == 0


class KnowsTheTruth:
    """A clearly better candidate: it ranks by the simulated shoppers' hidden taste."""

    name = "m-knows-the-truth"

    def __init__(self, world: ShopperWorld):
        self.world = world

    def score(self, pairs):
        candidates = pairs.candidates
        (answers,) = pairs.shoppers
        appeal = [
            self.world.appeal(sku, score, answers)
            for sku, score in zip(candidates["sku"], candidates["rule_score"], strict=True)
        ]
        return np.asarray(appeal)


@pytest.mark.slow  # simulates a shop's sessions
def test_shoppers_prefer_a_clearly_better_candidate_and_the_report_says_so(engine, tmp_path):
    """An analyst names a candidate that knows what shoppers like; after a few hundred
    interleaved sessions of simulated shoppers, the report prefers it with its interval above 0.5."""
    url = f"sqlite:///{tmp_path / 'story.db'}"
    rng = np.random.default_rng(11)
    world = ShopperWorld.draw(engine.catalog.products, rng)
    served = _interleaving_engine(engine, share=0.5)
    candidate = InterleaveCandidate.build(served, KnowsTheTruth(world))
    with FeedbackStore.open(url) as store:
        log = FeedbackLog(lambda: store)
        for _ in range(700):
            raw = random_answers(rng).to_record()
            try:
                shown = find_products(
                    served, raw, log, explore_share=0.05, rng=rng, candidate=candidate
                )
            except InputError:
                continue
            for item in shown.result.items:
                appeal = world.appeal(item.sku, item.score_parts.rules, shown.answers)
                if rng.random() < world.examined(item.rank) * appeal:
                    store.log_outcome(
                        shown.session_id, sku=item.sku, position=item.rank, event="click"
                    )
                    if rng.random() < appeal * 0.6:
                        store.log_outcome(
                            shown.session_id, sku=item.sku, position=item.rank, event="purchase"
                        )

    (report,) = read_interleaving(url)

    assert report.candidate_model == "m-knows-the-truth"
    assert report.sessions > 250
    assert report.wins > report.losses
    assert report.low > 0.5 and report.verdict == "shoppers prefer the candidate"
    assert report.wins + report.losses + report.ties == report.sessions
