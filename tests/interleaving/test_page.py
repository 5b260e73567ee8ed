"""The Analytics page's interleaving section, as an analyst sees it."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from recommender.feedback import FeedbackStore, TeamPicks
from recommender.feedback.policy import ranked
from recommender.model.interleave_candidate import set_candidate
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import load_engine
from views.signin import SIGNED_IN_ROLES, SIGNED_IN_USER

PAGE = Path(__file__).resolve().parents[2] / "views" / "analyst.py"


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def _signed_in_page() -> AppTest:
    page = AppTest.from_file(str(PAGE), default_timeout=120)
    page.session_state[SIGNED_IN_ROLES] = ("analyst",)
    page.session_state[SIGNED_IN_USER] = "ana"
    return page.run()


def _log_sessions(settings, *, interleaved: bool, candidate_clicks: int, served_clicks: int):
    engine = load_engine(settings.catalog_dir)
    answers = parse_answers({"pain_areas": ["lower_back"], "sitting_hours": 9})
    teams = ("served", "candidate", "served", "candidate")
    with FeedbackStore.open(settings.db_url) as store:
        for n in range(candidate_clicks + served_clicks):
            shown = ranked(engine.recommend(answers, 4))
            picks = TeamPicks("m-<b>bold</b>", teams) if interleaved else None
            session = store.record_shown(answers, shown, experiment="interleave", picks=picks)
            item = shown.result.items[1 if n < candidate_clicks else 0]
            store.log_outcome(session, sku=item.sku, position=item.rank, event="click")


def test_with_no_interleaved_sessions_the_section_says_how_to_start(shop_dirs):
    _log_sessions(shop_dirs, interleaved=False, candidate_clicks=3, served_clicks=0)
    page = _signed_in_page()

    assert not page.exception
    assert "Interleaving" in [h.value for h in page.subheader]
    assert any("no interleaved sessions" in c.value for c in page.caption)
    assert any("none named" in t.value for t in page.text)


def test_the_analyst_sees_which_ranking_shoppers_preferred(shop_dirs):
    set_candidate(shop_dirs.models_dir, "m-<b>bold</b>")
    _log_sessions(shop_dirs, interleaved=True, candidate_clicks=20, served_clicks=4)
    page = _signed_in_page()

    assert not page.exception
    table = next(f.value for f in page.dataframe if "candidate share" in f.value)
    row = table.iloc[0]
    assert (row["candidate wins"], row["served wins"], row["ties"]) == (20, 4, 0)
    assert row["low"] > 0.5 and row["verdict"] == "shoppers prefer the candidate"
    # A model id is data: shown as plain text, never as markdown.
    assert any(t.value == "Candidate now: m-<b>bold</b>" for t in page.text)
    assert not any("<b>" in m.value for m in page.markdown)


def test_a_named_candidate_that_cannot_be_used_is_explained_to_the_analyst(shop_dirs):
    set_candidate(shop_dirs.models_dir, "m-gone")
    _log_sessions(shop_dirs, interleaved=False, candidate_clicks=2, served_clicks=0)
    page = _signed_in_page()

    assert not page.exception
    assert any("gone" in w.value and "nothing is interleaved" in w.value for w in page.warning)


def test_markdown_in_a_named_candidate_is_shown_as_written(shop_dirs):
    set_candidate(shop_dirs.models_dir, "m-*loud*")
    _log_sessions(shop_dirs, interleaved=False, candidate_clicks=1, served_clicks=0)
    page = _signed_in_page()

    (warning,) = [w.value for w in page.warning if "loud" in w.value]
    assert "\\*loud\\*" in warning
