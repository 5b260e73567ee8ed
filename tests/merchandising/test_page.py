"""The merchandising page, driven through AppTest on a private copy of the catalog."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recommender.catalog.products import load_catalog
from recommender.merchandising.history import history
from recommender.merchandising.proposals import current_state, propose
from recommender.merchandising.weights_store import save_proposal
from recommender.shop.auth import LOCAL_ACCOUNT
from recommender.shop.signin_guard import SignInGuard, ThrottlePolicy, reset_shared_guard
from tests.merchandising.conftest import PASSWORD
from tests.readable import readable
from tests.shop.test_signin_guard import FakeClock

PAGE = Path(__file__).resolve().parents[2] / "views" / "merchandiser.py"
TIMEOUT = 60
KNOBS, PRODUCTS = "merch_knobs_0", "merch_products_0"
OVERRIDE = "Save anyway: I have checked these broken expectations"


def page(secrets: dict | None = None) -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    # Never the developer's own .streamlit/secrets.toml: only what the test configures.
    app.secrets.update(secrets or {"test": "isolated"})
    return app


def signed_in_page() -> AppTest:
    app = page()
    app.session_state["signin_user"] = "ana"
    app.session_state["signin_roles"] = ("merchandiser", "analyst")
    return app


def edits(rows: dict[int, dict]) -> dict:
    return {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def product_row(catalog_dir: Path, sku: str) -> int:
    return load_catalog(catalog_dir).skus.index(sku)


def knob_row(key: str) -> int:
    from recommender.catalog.weights import KNOBS as ALL_KNOBS

    return [knob.key for knob in ALL_KNOBS].index(key)


def rollback_choice(app: AppTest):
    """The "Roll back to version" dropdown (its key changes with each newest version)."""
    return next(box for box in app.selectbox if box.key.startswith("merch_rollback_to"))


def texts(app: AppTest) -> str:
    parts = [
        e.value for kind in ("error", "warning", "info", "success") for e in getattr(app, kind)
    ]
    return readable("\n".join(parts + [m.value for m in app.markdown]))


def save_button(app: AppTest):
    return next(b for b in app.button if b.label == "Save")


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def override(app: AppTest):
    return next(c for c in app.checkbox if c.label == OVERRIDE)


def out_of_stock(catalog_dir: Path, *skus: str) -> dict:
    return edits({product_row(catalog_dir, s): {"in_stock": False} for s in skus})


def seat_pad_boost(catalog_dir: Path) -> dict:
    return edits({product_row(catalog_dir, "SC-902"): {"boost": 1.0}})


def someone_else_saves(catalog_dir: Path, boosts: dict) -> str:
    """Ben saves new boosts from the files as they are now; his weights.toml text."""
    opened = current_state(catalog_dir)
    data = tomllib.loads(opened.weights_text)
    data["boosts"] = boosts
    theirs = propose(opened, data, {})
    save_proposal(catalog_dir, theirs, base_token=opened.token, who="ben")
    return theirs.weights_text


def test_with_no_sign_in_configured_the_page_is_closed_and_names_no_admin_command(catalog_dir):
    app = page().run()
    assert not app.exception
    assert len(app.data_editor) == 0
    assert "not set up" in texts(app)
    # A shopper can open this address too: no commands, settings or files are named to them.
    for secret in ("recommender admin", "set-password", "secrets.toml", "RECOMMENDER_"):
        assert secret not in texts(app)


def test_signed_out_users_see_a_password_form_and_no_editor(catalog_dir, staff_password):
    app = page().run()
    assert len(app.data_editor) == 0
    app.text_input(key="signin_password").input("wrong password!")
    app.button[0].click().run()
    assert "That password is not right." in texts(app)
    assert len(app.data_editor) == 0


def test_the_right_password_opens_the_editors(catalog_dir, staff_password):
    app = page().run()
    app.text_input(key="signin_password").input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception
    assert len(app.data_editor) == 3
    # The audit names the account that signed in; there is no free-text name to claim.
    assert app.session_state["signin_user"] == LOCAL_ACCOUNT
    assert "Signed in as admin" in app.caption[0].value
    assert "signin_name" not in [t.key for t in app.text_input]


def test_guessing_the_password_meets_a_wait_and_then_a_lockout(catalog_dir, staff_password):
    clock = FakeClock()
    reset_shared_guard(SignInGuard(clock=clock))
    app = page().run()
    messages = []
    for _ in range(4):
        app.text_input(key="signin_password").input("guess-guess-guess")
        app.button[0].click().run()
        messages.append(app.error[0].value)
    assert messages[:3] == ["That password is not right."] * 3
    assert messages[3].startswith("That password is not right. Wait ")
    # Even the right password waits its turn: it is not checked until the wait is over.
    app.text_input(key="signin_password").input(PASSWORD)
    app.button[0].click().run()
    assert "Too many wrong passwords: wait" in app.error[0].value
    assert len(app.data_editor) == 0
    for _ in range(6):  # keep guessing, after each wait, until the account locks
        clock.advance(120)
        app.text_input(key="signin_password").input("guess-guess-guess")
        app.button[0].click().run()
    assert "Sign-in is locked" in app.error[0].value
    clock.advance(ThrottlePolicy().lockout_seconds)
    app.text_input(key="signin_password").input(PASSWORD)
    app.button[0].click().run()
    assert len(app.data_editor) == 3


def test_a_save_after_a_password_sign_in_records_the_account_as_who(catalog_dir, staff_password):
    app = page().run()
    app.text_input(key="signin_password").input(PASSWORD)
    app.button[0].click().run()
    app.session_state[PRODUCTS] = seat_pad_boost(catalog_dir)
    app.run()
    save_button(app).click().run()
    assert [entry.who for entry in history(catalog_dir)][-1] == LOCAL_ACCOUNT


def test_oidc_user_without_the_role_is_turned_away(catalog_dir):
    app = page({"auth": {"redirect_uri": "x"}, "roles": {"analyst": ["bo@shop.example"]}})
    app.user = {"is_logged_in": True, "email": "bo@shop.example", "email_verified": True}
    app.run()
    assert len(app.data_editor) == 0
    assert "does not have the merchandiser role" in texts(app)


SSO = {"auth": {"redirect_uri": "x"}, "roles": {"merchandiser": ["ana@shop.example"]}}


def test_an_unverified_sso_email_gets_no_role_even_when_listed(catalog_dir):
    app = page(SSO)
    app.user = {"is_logged_in": True, "email": "ana@shop.example", "email_verified": False}
    app.run()
    assert len(app.data_editor) == 0
    assert "has not confirmed your e-mail address" in texts(app)


def test_a_verified_sso_email_opens_the_page_and_is_who_the_audit_records(catalog_dir):
    app = page(SSO)
    app.user = {"is_logged_in": True, "email": " Ana@Shop.EXAMPLE", "email_verified": True}
    app.session_state[PRODUCTS] = seat_pad_boost(catalog_dir)
    app.run()
    assert len(app.data_editor) == 3
    save_button(app).click().run()
    assert [entry.who for entry in history(catalog_dir)][-1] == "ana@shop.example"


def test_a_valid_change_is_previewed_then_saved(catalog_dir):
    app = signed_in_page()
    app.session_state[KNOBS] = edits({knob_row("boost"): {"value": 1.0}})
    app.session_state[PRODUCTS] = edits({product_row(catalog_dir, "SC-902"): {"boost": 1.0}})
    app.run()
    assert not app.exception
    assert any(readable(e.label).startswith("office-worker-lower-back") for e in app.expander)
    assert "SC-902 Ardenfield Gel Seat Pad: enters at 1" in texts(app)
    assert current_state(catalog_dir).weights_text == (catalog_dir / "weights.toml").read_text()
    app.text_input(key="merch_note").input("seat pad promotion")
    save_button(app).click().run()
    assert "Saved as version 2." in texts(app)
    saved = tomllib.loads((catalog_dir / "weights.toml").read_text())
    assert saved["boosts"]["SC-902"] == 1.0 and saved["blend"]["boost"] == 1.0
    assert [(e.who, e.note) for e in history(catalog_dir)][-1] == ("ana", "seat pad promotion")


def test_an_invalid_value_is_named_and_nothing_is_saved(catalog_dir):
    before = current_state(catalog_dir)
    app = signed_in_page()
    app.session_state[KNOBS] = edits({knob_row("boost"): {"value": 4.0}})
    app.run()
    assert "weights.toml [blend] boost: 4.0 is outside 0 to 1" in texts(app)
    assert not [b for b in app.button if b.label == "Save"]
    assert current_state(catalog_dir) == before
    assert history(catalog_dir) == ()


def test_a_broken_expectation_blocks_the_save_until_overridden(catalog_dir):
    app = signed_in_page()
    app.session_state[PRODUCTS] = out_of_stock(catalog_dir, "LC-801", "LC-802", "LC-803")
    app.run()
    assert "office-worker-lower-back: category_in_top lumbar_cushion within 3" in texts(app)
    assert save_button(app).disabled
    override(app).check().run()
    assert not save_button(app).disabled
    save_button(app).click().run()
    assert "Saved as version 2." in texts(app)
    assert not load_catalog(catalog_dir).products.set_index("sku").loc["LC-801", "in_stock"]


def test_an_override_given_for_one_breakage_does_not_cover_a_new_one(catalog_dir):
    app = signed_in_page()
    app.session_state[PRODUCTS] = out_of_stock(catalog_dir, "LC-801", "LC-802", "LC-803")
    app.run()
    override(app).check().run()
    assert not save_button(app).disabled
    # A further edit breaks the sciatica persona's stretch-aid expectation as well.
    stretch = [s for s in load_catalog(catalog_dir).skus if s.startswith("ST-")]
    app.session_state[PRODUCTS] = out_of_stock(catalog_dir, "LC-801", "LC-802", "LC-803", *stretch)
    app.run()
    assert "sciatica-pattern: category_in_top stretch_aid" in texts(app)
    assert not override(app).value
    assert save_button(app).disabled


def test_a_save_after_someone_elses_is_refused_and_theirs_is_kept(catalog_dir):
    app = signed_in_page()
    app.session_state[PRODUCTS] = edits({product_row(catalog_dir, "KS-101"): {"boost": 0.5}})
    app.run()
    theirs = someone_else_saves(catalog_dir, {"KT-301": 0.9})
    save_button(app).click().run()
    assert "changed since you opened them" in texts(app)
    assert current_state(catalog_dir).weights_text == theirs


def test_after_a_refused_save_both_peoples_changes_can_be_kept(catalog_dir):
    app = signed_in_page()
    app.session_state[PRODUCTS] = edits({product_row(catalog_dir, "KS-101"): {"boost": 0.5}})
    app.run()
    someone_else_saves(catalog_dir, {"KT-301": 0.9})
    save_button(app).click().run()
    button(app, "Reload the latest files, keeping my edits").click().run()
    assert "Your unsaved edits are applied on top of the latest files" in texts(app)
    save_button(app).click().run()
    assert "Saved as version 3." in texts(app)
    assert rollback_choice(app).value == 2  # "undo my save" is the default
    boosts = tomllib.loads((catalog_dir / "weights.toml").read_text())["boosts"]
    assert boosts == {"KT-301": 0.9, "KS-101": 0.5}
    assert [e.who for e in history(catalog_dir)] == [history(catalog_dir)[0].who, "ben", "ana"]


def test_when_both_changed_the_same_value_the_page_says_which(catalog_dir):
    app = signed_in_page()
    app.session_state[PRODUCTS] = edits({product_row(catalog_dir, "KS-101"): {"boost": 0.5}})
    app.run()
    someone_else_saves(catalog_dir, {"KS-101": -0.4})
    app.run()
    assert "You both changed KS-101 boost." in texts(app)
    button(app, "Reload the latest files, dropping my edits").click().run()
    assert "No changes yet" in texts(app)
    assert tomllib.loads(current_state(catalog_dir).weights_text)["boosts"] == {"KS-101": -0.4}


@pytest.mark.parametrize("target", [1])
def test_rolling_back_from_the_page_restores_the_files(catalog_dir, target):
    original = current_state(catalog_dir)
    app = signed_in_page()
    app.session_state[PRODUCTS] = edits({product_row(catalog_dir, "KS-101"): {"boost": 0.5}})
    app.run()
    save_button(app).click().run()
    rollback_choice(app).select(target).run()
    preview = app.expander[-2]
    assert preview.label == f"What rolling back to version {target} changes now"
    # A table of what changes, in words: the product by name, its boost now and after.
    (change,) = preview.dataframe[0].value.to_dict("records")
    assert change["what"].endswith("(KS-101)") and change["setting"] == "boost"
    assert (change["now"], change["after rolling back"]) == ("0.5", "0.0")
    next(b for b in app.button if b.key == "merch_rollback").click().run()
    assert f"Restored version {target} as version 3." in texts(app)
    assert current_state(catalog_dir) == original
    # Regression (issue 11): after a rollback the dropdown and the button name the same
    # version, on a fresh dropdown, so the button does what it says.
    choice = rollback_choice(app)
    assert choice.key != "merch_rollback_to_2" and choice.value == 2
    assert next(b for b in app.button if b.key == "merch_rollback").label == (
        f"Roll back to version {choice.value}"
    )


def test_a_hand_broken_file_is_reported_and_can_be_rolled_back_from_the_page(catalog_dir):
    app = signed_in_page()
    app.session_state[PRODUCTS] = edits({product_row(catalog_dir, "KS-101"): {"boost": 0.5}})
    app.run()
    save_button(app).click().run()
    good = current_state(catalog_dir)
    (catalog_dir / "weights.toml").write_text("[blend]\nboost = 9\n")
    app = signed_in_page().run()
    assert not app.exception
    assert "weights.toml [blend] boost: 9 is outside 0 to 1" in texts(app)
    rollback_choice(app).select(2).run()
    next(b for b in app.button if b.key == "merch_rollback").click().run()
    assert current_state(catalog_dir) == good


def test_staff_see_that_shoppers_still_get_the_last_good_weights(catalog_dir):
    assert not signed_in_page().run().exception  # shoppers were served the good files
    (catalog_dir / "weights.toml").write_text("[blend]\nrules = 5.0\n")
    app = signed_in_page().run()
    assert not app.exception
    warning = "\n".join(w.value for w in app.warning)
    assert "Shoppers are not affected yet: weights.toml is refused" in warning
    assert "still serving the last good weights" in warning


def test_hostile_persona_labels_and_product_names_show_as_text_in_the_preview(
    catalog_dir, tmp_path, monkeypatch
):
    from markdown_it import MarkdownIt

    from tests.hostile_catalog import HOSTILE_PERSONA, hostile_catalog

    hostile = hostile_catalog(catalog_dir, tmp_path / "hostile")
    monkeypatch.setenv("RECOMMENDER_CATALOG", str(hostile))
    app = signed_in_page()
    app.session_state[KNOBS] = edits({knob_row("boost"): {"value": 1.0}})
    app.session_state[PRODUCTS] = edits({product_row(hostile, "SC-902"): {"boost": 1.0}})
    app.run()
    assert not app.exception
    labels = [e.label for e in app.expander if readable(e.label).startswith("office-worker")]
    assert labels and HOSTILE_PERSONA in readable(labels[0])
    renderer = MarkdownIt("commonmark")
    for text in [*labels, *(m.value for m in app.markdown)]:
        rendered = renderer.render(text)
        assert "<img" not in rendered and "<a " not in rendered
    products = load_catalog(hostile).products
    name = products.loc[products["sku"] == "SC-902", "name"].iloc[0]
    assert name != "Ardenfield Gel Seat Pad"  # it carries markup ...
    assert f"SC-902 {name}: enters at 1" in texts(app)  # ... shown exactly as written


def test_a_hostile_sso_email_is_shown_as_text(catalog_dir):
    from markdown_it import MarkdownIt

    app = page(SSO)
    email = "[help](http://evil.example/x)@evil.example"
    app.user = {"is_logged_in": True, "email": email, "email_verified": True}
    app.run()
    assert len(app.data_editor) == 0
    message = app.error[0].value
    assert email in readable(message)
    rendered = MarkdownIt("commonmark").render(message)
    assert "<a " not in rendered
