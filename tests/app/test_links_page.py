"""Shareable links in the real app (SPEC section 9), driven with AppTest: a shopper opens a
link a friend sent, reloads, or follows a link with a mistake in it."""

from __future__ import annotations

from shopper_flow import (
    card_titles,
    knee_and_back_shopper,
    next_step,
    stored_events,
    through_the_safety_check,
)
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT
from tests.readable import readable


def _open_link(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    return at.run()


def _step(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def test_a_shared_link_shows_its_results_straight_away(db_url: str) -> None:
    at = _open_link({"pain_areas": "knee,lower_back", "bunions": "both", "red_flags": "none"})
    assert not at.exception
    assert "Your matches" in [t.value for t in at.title]
    assert card_titles(at)
    assert at.query_params["step"] == "results"
    assert len(stored_events(db_url)) > 0  # results shown, so the session is logged


def test_a_link_without_the_safety_answers_asks_them_first_then_shows_results(
    db_url: str,
) -> None:
    at = _open_link({"pain_areas": "knee", "sitting_hours": "9"})
    assert "Step 2 of 5" in _step(at) and at.header[0].value == "Safety check"
    assert 0 < len(at.checkbox) <= 8
    assert len(stored_events(db_url)) == 0  # nothing stored before the shopper gets results
    through_the_safety_check(at)
    assert card_titles(at)
    assert at.query_params["red_flags"] == "none"


def test_a_red_flag_link_shows_the_safety_stop(app: AppTest) -> None:
    at = _open_link({"red_flags": "calf_swelling", "pain_areas": "knee"})
    assert "Please see a doctor today" in [t.value for t in at.title]
    assert card_titles(at) == []


def test_a_bad_link_opens_the_question_naming_the_field(db_url: str) -> None:
    at = _open_link({"red_flags": "none", "pain_areas": "knee", "knee_side": "middle"})
    assert not at.exception
    assert "Step 1 of 5" in _step(at)
    warning = readable(at.warning[0].value)
    assert "(which knee: 'middle'). The rest is kept." in warning
    assert at.pills(key="q_pain_areas").value == ["knee"]
    assert at.radio(key="q_knee_side").value is None


def test_a_link_with_an_unknown_area_keeps_the_known_one(db_url: str) -> None:
    at = _open_link({"red_flags": "none", "pain_areas": "knee,foo"})
    assert "(where it hurts: 'foo'). The rest is kept." in readable(at.warning[0].value)
    assert at.pills(key="q_pain_areas").value == ["knee"]


def test_each_step_is_in_the_address_so_a_reload_comes_back_to_it(app: AppTest) -> None:
    app.radio(key="q_age_band").set_value("55_64").run()
    next_step(app)
    assert app.query_params["step"] == "2"
    app.button(key="back").click().run()
    app.pills(key="q_pain_areas").set_value(["knee"]).run()
    assert "pain_areas" not in app.query_params  # a tick on a step is no new history entry
    next_step(app)
    through_the_safety_check(app)
    params = dict(app.query_params)
    assert params["step"] == "3" and params["pain_areas"] == "knee"
    assert params["red_flags"] == "none"
    reloaded = _open_link(params)
    assert "Step 3 of 5" in _step(reloaded)
    while reloaded.header[0].value != "Where it hurts":
        reloaded.button(key="back").click().run()
    assert reloaded.pills(key="q_pain_areas").value == ["knee"]
    assert reloaded.radio(key="q_age_band").value == "55_64"


def test_change_my_answers_returns_to_the_first_step(app: AppTest) -> None:
    knee_and_back_shopper(app)
    app.button(key="change").click().run()
    assert "Step 1 of 5" in _step(app)
    assert app.radio(key="q_age_band").value == "55_64"


def test_an_empty_questionnaire_is_guided_to_where_it_hurts(app: AppTest) -> None:
    next_step(app)
    through_the_safety_check(app)
    for _ in range(3):
        next_step(app)
    assert "Your matches" not in [t.value for t in app.title]
    assert "Step 1 of 5" in _step(app)
    assert "Tell us where it hurts" in readable(app.warning[0].value)


def test_a_link_with_measurements_fills_them_in_and_a_changed_one_wins(app: AppTest) -> None:
    at = _open_link({"red_flags": "none", "pain_areas": "knee", "knee_cm": "38", "step": "5"})
    assert "Step 5 of 5" in _step(at)
    assert at.number_input(key="q_knee_cm").value == 38.0
    assert at.number_input(key="q_thigh_cm").value is None
    at.number_input(key="q_knee_cm").set_value(36.5).run()  # the shopper measured again
    next_step(at)
    assert card_titles(at)
    assert at.query_params["knee_cm"] == "36.5"


def test_a_results_link_with_a_measurement_keeps_it_for_change_my_answers(app: AppTest) -> None:
    at = _open_link({"red_flags": "none", "pain_areas": "knee", "knee_cm": "35"})
    assert any("Your size: " in readable(m.value) for m in at.markdown)
    at.button(key="change").click().run()
    next_step(at)
    through_the_safety_check(at)
    for _ in range(2):
        next_step(at)
    assert "Step 5 of 5" in _step(at)
    assert at.number_input(key="q_knee_cm").value == 35.0
