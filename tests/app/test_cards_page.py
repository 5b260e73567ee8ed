"""A shopper's cards: a picture, a price in pounds, the size that fits their measurement, a
product no size fits held back with the reason, and two or three products side by side."""

from __future__ import annotations

from shopper_flow import card_texts, card_titles, next_step, through_the_safety_check
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
    sleeve = next(text for text in card_texts(app) if "Everyday Knee Sleeve" in text)
    assert "**Your size: M**" in readable(sleeve.split("\n\n")[1])  # beside name and price


def test_a_50_cm_knee_holds_sleeves_back_and_says_which_sizes_exist(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, 50)
    titles = " ".join(card_titles(app))
    assert "Everyday Knee Sleeve" not in titles
    held = [text for text in _markdown(app) if "Kinetra Everyday Knee Sleeve" in text]
    assert held and "No size fits your 50 cm knee" in held[0]


def test_without_a_measurement_a_sized_product_says_it_comes_in_sizes(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, None)
    sleeve = next(text for text in card_texts(app) if "Everyday Knee Sleeve" in text)
    assert ":small[Comes in sizes" in readable(sleeve)


def test_every_card_shows_a_price_in_pounds_and_a_shop_link(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, None)
    titles = card_titles(app)
    prices = [text for text in card_texts(app) if " · **£" in text.replace("\\", "")]
    assert len(prices) == len(titles) >= 3
    links = [b for b in app.get("link_button") if b.proto.label == "View in shop"]
    assert len(links) == len(titles)
    assert all(b.proto.url.startswith("https://shop.example/") for b in links)
    pictures = [h.proto.body for h in app.get("html") if h.proto.body.startswith("<img ")]
    assert len(pictures) == len(titles)
    assert all('alt="Picture of ' in picture for picture in pictures)


def test_ticking_two_products_opens_them_side_by_side_in_short_rows(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, 35)
    titles = [readable(t.removeprefix("## ")) for t in card_titles(app)]
    first, second = (app.checkbox(key=f"compare_{sku}") for sku in _skus(app)[:2])
    first.check().run()
    assert "open_compare" not in [b.key for b in app.button]
    assert any("Tick one or two more" in c.value for c in app.caption)
    second.check().run()
    app.button(key="open_compare").click().run()
    rows = [c.value for c in app.caption]
    assert rows[-8:] == [
        "Price",
        "Kind",
        "Support",
        "Size",
        "Made for",
        "Activities",
        "Cautions",
        "Stands out for",
    ]
    shown = [readable(m.value) for m in app.markdown]
    assert [f"**{title}**" for title in titles[:2]] == [
        t for t in shown if t.startswith("**1") or t.startswith("**2")
    ][:2]
    pictures = [h.proto.body for h in app.get("html") if h.proto.body.startswith("<img ")]
    assert len(pictures) == len(titles) + 2  # the cards', and one above each compared product
    # Short rows: a price, a few words, one sentence at most; never a list of reasons.
    cells = shown[-16:]
    assert cells[0].startswith("£") and cells[1].startswith("£")
    assert all(len(cell) < 200 for cell in cells)


def test_at_most_three_products_can_be_compared(app: AppTest) -> None:
    knee_shopper_with_a_measurement(app, None)
    skus = _skus(app)
    for sku in skus[:3]:
        app.checkbox(key=f"compare_{sku}").check().run()
    assert app.checkbox(key=f"compare_{skus[3]}").disabled
    assert app.button(key="open_compare").label == "Compare 3 side by side"


def test_a_card_with_a_caution_shows_a_marker_and_the_caution_in_full_when_opened(
    app: AppTest,
) -> None:
    app.pills(key="q_pain_areas").set_value(["foot"]).run()
    next_step(app)
    through_the_safety_check(app)
    for _ in range(2):
        next_step(app)
    app.pills(key="q_conditions").set_value(["diabetes"]).run()
    next_step(app)
    cautioned = [t for t in card_texts(app) if "caution" in t and ":orange-badge[" in t]
    assert cautioned, "insoles shown with diabetes carry a see-a-podiatrist caution"
    sku = next(
        sku for sku, text in zip(_skus(app), card_texts(app), strict=True) if text in cautioned
    )
    assert not any("podiatrist" in readable(w.value) for w in app.warning)  # folded away
    app.session_state[f"details_{sku}"] = True
    app.run()
    assert any("podiatrist" in readable(w.value) for w in app.warning)


def _skus(at: AppTest) -> list[str]:
    return [
        box.key.removeprefix("compare_") for box in at.checkbox if box.key.startswith("compare_")
    ]


def _markdown(at: AppTest) -> list[str]:
    """The page's Markdown as the shopper reads it (data text is escaped for Markdown)."""
    return [m.value.replace("\\", "") for m in at.markdown]
