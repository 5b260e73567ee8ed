"""A shopper in the interleave arm gets an ordinary-looking result, and the app logs its teams."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from recommender.feedback import FeedbackStore, read_experiments, read_picks
from recommender.merchandising import experiments
from recommender.model.interleave_candidate import set_candidate
from tests.app.shopper_flow import card_titles, knee_and_back_shopper
from tests.interleaving.conftest import set_knob

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def interleaving_shop(shop_dirs, with_model, monkeypatch):
    set_knob(shop_dirs, "interleave_share", "0.5")
    set_candidate(shop_dirs.models_dir, with_model)
    monkeypatch.setenv("RECOMMENDER_EXPLORE_SHARE", "0")
    # This shopper is drawn into the interleave arm (the draw itself is tested elsewhere).
    monkeypatch.setattr(experiments, "pick_arm", lambda rng, weights: experiments.INTERLEAVE)
    st.cache_resource.clear()
    yield shop_dirs
    st.cache_resource.clear()


def test_an_interleaved_shopper_sees_cards_and_the_teams_are_logged(interleaving_shop, with_model):
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    knee_and_back_shopper(app)

    titles = card_titles(app)
    assert titles and titles[0].startswith("## 1. ")
    with FeedbackStore.open(interleaving_shop.db_url) as store:
        picks = read_picks(store)
        arms = read_experiments(store)
    assert list(arms["experiment"]) == ["interleave"]
    assert len(picks) == len(titles)
    assert set(picks["candidate_model"]) == {with_model}
    assert set(picks["team"]) <= {"served", "candidate"} and len(set(picks["team"])) == 2
