"""The shopper's whole journey through the real app, driven with AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from shopper_flow import (
    card_texts,
    card_titles,
    knee_and_back_shopper,
    next_step,
    stored_events,
    through_the_safety_check,
    to_the_warning_sign,
)
from streamlit.testing.v1 import AppTest

from recommender.shopper.coverage import MAX_FLAGS_PER_SCREEN, red_flags_to_ask
from tests.app.conftest import APP, TIMEOUT


def _step(app: AppTest) -> str:
    return app.get("progress")[0].proto.text


def test_first_screen_asks_where_it_hurts_with_no_warning_boxes(app: AppTest) -> None:
    assert "Step 1 of 5" in _step(app)
    assert app.header[0].value == "Where it hurts"
    assert app.pills(key="q_pain_areas").label == "Where do you feel pain?"
    assert len(app.checkbox) == 0
    assert app.button(key="back").disabled


def test_a_knee_shopper_is_asked_the_knee_warning_signs_a_few_at_a_time(app: AppTest) -> None:
    app.pills(key="q_pain_areas").set_value(["knee"]).run()
    next_step(app)
    asked: list[str] = []
    while app.header[0].value == "Safety check":
        boxes = [box.key.removeprefix("flag_") for box in app.checkbox]
        assert 0 < len(boxes) <= MAX_FLAGS_PER_SCREEN
        assert "Step 2 of 5" in _step(app)
        asked += boxes
        next_step(app)
    assert sorted(asked) == sorted(red_flags_to_ask(["knee"]))
    assert "back_swelling_or_deformity" not in asked  # a back question, not a knee one
    assert app.header[0].value == "What you notice"


def test_a_shopper_who_skips_where_it_hurts_is_asked_every_warning_sign(app: AppTest) -> None:
    next_step(app)
    asked: list[str] = []
    while app.header[0].value == "Safety check":
        asked += [box.key.removeprefix("flag_") for box in app.checkbox]
        next_step(app)
    assert len(asked) == len(set(asked)) == 17


def test_shopper_reaches_ranked_cards_with_reasons_and_advice(app: AppTest) -> None:
    knee_and_back_shopper(app)
    titles = card_titles(app)
    assert titles and titles[0].startswith("## 1. ")
    assert all("Because you told us" in text for text in card_texts(app))
    assert all("Article section:" in text for text in card_texts(app))
    assert "Looking after yourself" in [h.value for h in app.header]
    assert app.get("download_button")[0].proto.label.startswith("Download a summary")


def test_emergency_flag_stops_with_next_step_and_no_products(app: AppTest) -> None:
    app.pills(key="q_pain_areas").set_value(["lower_back"]).run()
    next_step(app)
    app.checkbox(key="flag_saddle_numbness").check().run()
    next_step(app)  # the stop comes at once, before the other screens
    assert "Please get help now" in [h.value for h in app.title]
    assert "emergency" in app.error[0].value
    assert card_titles(app) == []
    assert not [b for b in app.button if b.key.startswith("add_to_cart_")]


def test_night_pain_shows_clinician_advice_above_products(app: AppTest) -> None:
    to_the_warning_sign(app, "night_pain", ["knee"])
    next_step(app)
    assert "Step 3 of 5" in _step(app)  # not a stop
    for _ in range(3):
        next_step(app)
    assert "clinician" in app.warning[0].value
    assert card_titles(app)


def test_the_health_step_asks_when_the_pain_began_and_about_risks_in_plain_words(
    app: AppTest,
) -> None:
    app.radio(key="q_age_band").set_value("65_plus").run()
    app.pills(key="q_pain_areas").set_value(["lower_back"]).run()
    next_step(app)
    through_the_safety_check(app)
    for _ in range(2):
        next_step(app)
    assert app.radio(key="q_pain_started").label == "When did this pain begin?"
    risks = app.pills(key="q_risk_factors")
    assert "A fall in the last few weeks" in risks.options
    risks.set_value(["recent_fall"]).run()
    next_step(app)
    assert "Please see a doctor today" in [h.value for h in app.title]
    assert "fracture" in app.error[0].value
    assert card_titles(app) == []


def test_going_back_and_forth_keeps_the_answers(app: AppTest) -> None:
    app.radio(key="q_age_band").set_value("65_plus").run()
    app.pills(key="q_pain_areas").set_value(["knee", "foot"]).run()
    app.radio(key="q_knee_side").set_value("right").run()
    next_step(app)
    app.checkbox(key="flag_worsening_leg_weakness").check().run()  # urgent, once Next is pressed
    app.checkbox(key="flag_worsening_leg_weakness").uncheck().run()
    through_the_safety_check(app)
    app.radio(key="q_bunions").set_value("left").run()
    while app.header[0].value != "Where it hurts":
        app.button(key="back").click().run()
    assert app.pills(key="q_pain_areas").value == ["knee", "foot"]
    assert app.radio(key="q_knee_side").value == "right"
    assert app.radio(key="q_age_band").value == "65_plus"
    next_step(app)
    assert not app.checkbox(key="flag_worsening_leg_weakness").value
    through_the_safety_check(app)
    assert app.radio(key="q_bunions").value == "left"


def test_a_tick_on_one_screen_is_kept_while_the_others_are_answered(app: AppTest) -> None:
    to_the_warning_sign(app, "night_pain", ["knee"])
    app.button(key="back").click().run()
    next_step(app)
    assert app.checkbox(key="flag_night_pain").value
    next_step(app)
    assert app.query_params["red_flags"] == "night_pain"


def test_feedback_click_is_recorded_with_the_shown_list(app: AppTest, db_url: str) -> None:
    knee_and_back_shopper(app)
    shown = len(card_titles(app))
    sku = next(b.key for b in app.button if b.key.startswith("add_to_cart_")).split("_", 3)[-1]
    app.session_state[f"details_{sku}"] = True  # "More about this product" opened
    app.run()
    app.button(key=f"helpful_{sku}").click().run()
    events = stored_events(db_url)
    impressions = events[events["event"] == "impression"]
    assert sorted(impressions["position"]) == list(range(1, shown + 1))
    helpful = events[events["event"] == "helpful"]
    assert list(helpful["sku"]) == [sku]
    assert list(helpful["position"]) == [1]
    assert app.button(key=f"helpful_{sku}").disabled


def test_without_a_cart_setting_the_button_says_what_it_does(app: AppTest, db_url: str) -> None:
    knee_and_back_shopper(app)
    button = next(b for b in app.button if b.key.startswith("add_to_cart_"))
    assert button.label == "I'd buy this"
    assert not [b for b in app.get("link_button") if b.proto.label == "Add to cart"]
    button.click().run()
    assert list(stored_events(db_url).query("event == 'add_to_cart'")["position"]) == [1]
    assert app.button(key=button.key).label == "Noted: you'd buy this"


def test_with_a_cart_template_add_to_cart_hands_the_sku_to_the_shop(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOMMENDER_CART_URL", "https://shop.example/cart/add?sku={sku}")
    knee_and_back_shopper(app)
    carts = [b.proto for b in app.get("link_button") if b.proto.label == "Add to cart"]
    assert len(carts) == len(card_titles(app))
    assert carts[0].url.startswith("https://shop.example/cart/add?sku=")
    assert not [b for b in app.button if b.label == "I'd buy this"]


def test_results_still_show_when_feedback_cannot_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: AppTest
) -> None:
    # A folder where the database file should be: SQLite cannot open it.
    monkeypatch.setenv("RECOMMENDER_DB", f"sqlite:///{tmp_path}")
    knee_and_back_shopper(app)
    assert card_titles(app)
    assert any("could not be saved" in c.value for c in app.caption)


def test_nothing_fits_offers_the_budget_change_in_one_click(app: AppTest) -> None:
    knee_and_back_shopper(app, budget=2)
    assert card_titles(app) == []
    apply = app.button(key="apply_0")
    assert apply.label.startswith("Set my budget to ")
    apply.click().run()
    assert card_titles(app)
    app.button(key="change").click().run()  # back to the first step, answers kept
    next_step(app)
    through_the_safety_check(app)
    for _ in range(2):
        next_step(app)
    assert app.number_input(key="q_budget_max").value > 2


def test_a_bad_cart_template_stops_the_page_naming_the_setting(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECOMMENDER_CART_URL", "https://shop.example/cart/add")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "setting RECOMMENDER_CART_URL" in at.error[0].value
    assert "{sku}" in at.error[0].value
