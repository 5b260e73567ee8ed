"""Sign-in logic: password hashing, where the hash comes from, and OIDC roles."""

from __future__ import annotations

import tomllib

from recommender.shop.auth import (
    ANALYST,
    MERCHANDISER,
    PASSWORD_HASH_ENV,
    auth_config,
    hash_password,
    how_to_open,
    save_password_hash,
    verified_email,
    verify_password,
)


def test_a_hash_verifies_its_password_and_nothing_else():
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse battery ")
    assert not verify_password(stored, "")


def test_the_same_password_hashes_differently_each_time_because_of_the_salt():
    assert hash_password("correct horse battery") != hash_password("correct horse battery")


def test_a_missing_or_garbled_hash_never_lets_anyone_in():
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


def test_the_environment_hash_wins_over_secrets_toml():
    secrets = {"admin": {"password_hash": "from-file"}}
    assert auth_config(secrets, {}).password_hash == "from-file"
    assert auth_config(secrets, {PASSWORD_HASH_ENV: "from-env"}).password_hash == "from-env"


def test_with_nothing_configured_the_pages_stay_closed_and_say_how_to_open():
    config = auth_config({}, {})
    assert not config.any_method
    assert "recommender admin set-password" in how_to_open(config)


def test_oidc_users_get_only_the_roles_their_email_is_listed_for():
    secrets = {
        "auth": {"redirect_uri": "x"},
        "roles": {MERCHANDISER: ["Ana@Shop.example"], ANALYST: ["*"]},
    }
    config = auth_config(secrets, {})
    assert config.oidc
    assert config.roles_for_email("ana@shop.example") == {MERCHANDISER, ANALYST}
    assert config.roles_for_email("someone@else.example") == {ANALYST}
    assert auth_config({"auth": {}}, {}).roles_for_email("ana@shop.example") == frozenset()


def test_saving_a_hash_creates_the_secrets_file_owner_readable_only(tmp_path):
    path = tmp_path / ".streamlit" / "secrets.toml"
    save_password_hash(path, "$argon2id$abc")
    assert tomllib.loads(path.read_text()) == {"admin": {"password_hash": "$argon2id$abc"}}
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_named_single_sign_on_providers_each_get_a_sign_in_button():
    # With [auth.google] and [auth.microsoft], st.login needs the provider's name.
    secrets = {
        "auth": {
            "redirect_uri": "http://localhost:8501/oauth2callback",
            "cookie_secret": "s",
            "google": {"client_id": "g"},
            "microsoft": {"client_id": "m"},
        }
    }
    assert auth_config(secrets, {}).providers == ("google", "microsoft")
    assert auth_config({"auth": {"client_id": "one"}}, {}).providers == ()


SSO_SECRETS = {
    "auth": {"redirect_uri": "x"},
    "roles": {MERCHANDISER: ["  Ana@Shop.Example "], ANALYST: ["*"]},
}


def test_single_sign_on_grants_roles_only_to_an_email_the_provider_verified():
    config = auth_config(SSO_SECRETS, {})
    verified = {"email": "ana@shop.example", "email_verified": True}
    assert config.roles_for_user(verified) == {MERCHANDISER, ANALYST}
    # Someone who opened an account at the provider with Ana's address but never proved it:
    for unproven in (False, None, "false", "yes", 1):
        assert config.roles_for_user({"email": "ana@shop.example", "email_verified": unproven}) == (
            frozenset()
        )
    assert config.roles_for_user({"email": "ana@shop.example"}) == frozenset()


def test_even_the_anyone_signed_in_list_needs_a_verified_email():
    config = auth_config(SSO_SECRETS, {})
    assert config.roles_for_user({"email": "new@else.example", "email_verified": True}) == {ANALYST}
    assert config.roles_for_user({"email": "new@else.example", "email_verified": False}) == (
        frozenset()
    )


def test_emails_match_the_roles_list_whatever_their_case_and_spacing():
    config = auth_config(SSO_SECRETS, {})
    user = {"email": "\tANA@shop.EXAMPLE  ", "email_verified": "true"}
    assert verified_email(user) == "ana@shop.example"
    assert MERCHANDISER in config.roles_for_user(user)


def test_a_verified_claim_without_an_email_grants_nothing():
    config = auth_config(SSO_SECRETS, {})
    assert verified_email({"email_verified": True}) is None
    assert verified_email({"email": 42, "email_verified": True}) is None
    assert config.roles_for_user({"email_verified": True}) == frozenset()
