"""The merchandising page in words: settings and categories named for a person, a product
grid with search and pictures, and a model weight that says when it cannot do anything."""

from __future__ import annotations

import tomllib

from recommender.merchandising import wording
from recommender.merchandising.proposals import current_state
from recommender.model.serving import RULES_ONLY
from tests.merchandising.test_page import (
    KNOBS,
    PRODUCTS,
    edits,
    knob_row,
    product_row,
    save_button,
    signed_in_page,
    texts,
)

SEARCH = "merch_search_0"


def _grid(app, key: str):
    return next(editor for editor in app.data_editor if editor.key == key).value


def test_settings_read_as_words_with_the_file_keys_beside_them(catalog_dir):
    app = signed_in_page().run()
    knobs = _grid(app, KNOBS)
    assert knobs.columns[0] == "setting"
    assert "Limits: max per category" in set(knobs["setting"])
    assert "max_per_category" in set(knobs["key"])  # kept, labelled "file key" on the page
    products = _grid(app, PRODUCTS)
    assert "Knee sleeve" in set(products["category"])  # words, not knee_sleeve
    assert products["picture"].str.startswith(("data:image/png;base64,", "https://")).all()


def test_a_search_narrows_the_grid_and_keeps_edits_made_before_it(catalog_dir):
    app = signed_in_page()
    app.session_state[PRODUCTS] = edits({product_row(catalog_dir, "KS-101"): {"boost": 0.5}})
    app.run()
    app.text_input(key=SEARCH).input("seat").run()
    found = _grid(app, f"{PRODUCTS}_seat")
    assert len(found) < 48 and found["sku"].str.startswith("SC").any()
    assert all(
        "seat" in f"{n} {c}".lower() for n, c in zip(found["name"], found["category"], strict=True)
    )
    seat_row = list(found["sku"]).index("SC-902")
    app.session_state[f"{PRODUCTS}_seat"] = edits({seat_row: {"boost": 1.0}})
    app.run()
    save_button(app).click().run()
    boosts = tomllib.loads(current_state(catalog_dir).weights_text)["boosts"]
    assert boosts["KS-101"] == 0.5 and boosts["SC-902"] == 1.0  # both edits saved


def test_a_search_that_matches_nothing_says_so(catalog_dir):
    app = signed_in_page().run()
    app.text_input(key=SEARCH).input("zzz-no-such").run()
    assert "No product matches that search." in texts(app)


def test_changing_the_model_weight_with_no_model_served_says_why_nothing_moves(catalog_dir):
    app = signed_in_page()
    app.session_state[KNOBS] = edits({knob_row("model"): {"value": 0.8}})
    app.run()
    assert "No model is being served" in texts(app)


def test_model_weight_note_only_when_it_cannot_count():
    assert wording.model_weight_note([("blend", "model")], RULES_ONLY)
    assert wording.model_weight_note([("blend", "model")], "m20261201-abc") is None
    assert wording.model_weight_note([("blend", "boost")], RULES_ONLY) is None


def test_search_matches_category_words_and_ids_in_any_case():
    rows = [
        {"sku": "KS-101", "name": "Kinetra Everyday", "category": "knee_sleeve"},
        {"sku": "SC-902", "name": "Gel pad", "category": "seat_cushion"},
    ]
    assert [r["sku"] for r in wording.matching(rows, "Seat Cushion")] == ["SC-902"]
    assert [r["sku"] for r in wording.matching(rows, "knee_sleeve")] == ["KS-101"]
    assert [r["sku"] for r in wording.matching(rows, "  ")] == ["KS-101", "SC-902"]
