"""A shopper's cards: a picture, a price in pounds, the size that fits their measurement, a
product no size fits held back with the reason, and two or three products side by side."""

from __future__ import annotations

from shopper_flow import card_titles, next_step, through_the_safety_check
from streamlit.testing.v1 import AppTest

from tests.readable import readable


def knee_shopper_with_a_measurement(at: AppTest, knee_cm: float | None) -> AppTest:
    """A shopper with knee pain who gives their knee measurement on the last step."""
    at.radio(key="q_age_band").set_value("16_49").run()
    at.pills(key="q_pain_areas").set_value(["knee"]).run()
    next_step(at)
    through_the_safety_check(at)
    for _ in range(2):
        next_step(at)
    if knee_cm is not None:
        at.number_input(key="q_knee_cm").set_value(knee_cm).run()
    return next_step(at)


def test_the_last_step_asks_for_a_knee_measurement_with_how_to_measure(app: AppTest) -> None:
    app.radio(key="q_age_band").set_value("16_49").run()
    app.pills(key="q_pain_areas").set_value(["knee"]).run()
    next_step(app)
    through_the_safety_check(app)
    for _ in range(2):
        next_step(app)
    assert app.number_input(key="q_knee_cm").label == "Around your knee (cm)"
    assert any("middle of the kneecap" in c.value for c in app.caption)
    # Only the measurements that size products for knee pain are asked.
    asked = {n.key for n in app.number_input}
    assert "q_waist_cm" not in asked and "q_shoe_eu" in asked


def test_a_shopper_with_a_35_cm_knee_sees_the_size_that_fits_on_the_sleeve(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, 35)
    assert card_titles(app)
    sizes = [text for text in _markdown(app) if text.startswith("**Your size: ")]
    assert "**Your size: M**" in sizes


def test_a_50_cm_knee_holds_sleeves_back_and_says_which_sizes_exist(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, 50)
    titles = " ".join(card_titles(app))
    assert "Everyday Knee Sleeve" not in titles
    held = [text for text in _markdown(app) if "Kinetra Everyday Knee Sleeve" in text]
    assert held and "No size fits your 50 cm knee" in held[0]


def test_without_a_measurement_a_sized_product_says_it_comes_in_sizes(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, None)
    assert any(c.value.replace("\\", "").startswith("Comes in sizes") for c in app.caption)


def test_every_card_shows_a_price_in_pounds_and_a_shop_link(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, None)
    titles = card_titles(app)
    prices = [text for text in _markdown(app) if " · **£" in text]
    assert len(prices) == len(titles) >= 3
    links = [b for b in app.get("link_button") if b.proto.label == "View in shop"]
    assert len(links) == len(titles)
    assert all(b.proto.url.startswith("https://shop.example/") for b in links)
    pictures = app.get("image")
    assert len(pictures) == len(titles)
    assert all(p.proto.imgs[0].alt.startswith("Picture of ") for p in pictures)


def test_ticking_two_products_shows_them_side_by_side(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, 35)
    titles = [t.removeprefix("## ") for t in card_titles(app)]
    first, second = (app.checkbox(key=f"compare_{sku}") for sku in _skus(app)[:2])
    first.check().run()
    assert "Side by side" not in [h.value for h in app.subheader]
    second.check().run()
    assert "Side by side" in [h.value for h in app.subheader]
    # The table is Markdown in every cell, so it comes escaped; read it as a shopper would.
    table = app.table[0].value.map(readable).rename(index=readable, columns=readable)
    assert list(table.columns) == [readable(title) for title in titles[:2]]
    assert {"Support level", "Made for areas", "Size", "Price", "Cautions"} <= set(table.index)
    assert table.loc["Price"].str.startswith("£").all()
    assert table.loc["Why it is suggested"].str.contains("Because you told us").all()


def test_at_most_three_products_can_be_compared(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, None)
    skus = _skus(app)
    for sku in skus[:3]:
        app.checkbox(key=f"compare_{sku}").check().run()
    assert app.checkbox(key=f"compare_{skus[3]}").disabled
    assert len(app.table[0].value.columns) == 3


def _skus(at: AppTest) -> list[str]:
    return [
        box.key.removeprefix("compare_") for box in at.checkbox if box.key.startswith("compare_")
    ]


def _markdown(at: AppTest) -> list[str]:
    """The page's Markdown as the shopper reads it (data text is escaped for Markdown)."""
    return [m.value.replace("\\", "") for m in at.markdown]
