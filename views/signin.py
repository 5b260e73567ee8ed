"""Sign-in for the staff pages. Every protected page calls `require_signed_in(role)` first.

Hiding a menu entry is not protection: the page itself stops here unless the session holds
the role. The checks live in `recommender.shop.auth` and `recommender.shop.signin_guard` (throttling);
this module only draws the forms. What it returns is the identity the audit log records.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from recommender.escaping import plain
from recommender.shop.auth import (
    LOCAL_ACCOUNT,
    AuthConfig,
    auth_config,
    how_to_open,
    verified_email,
    verify_password,
)
from recommender.shop.signin_guard import shared_guard

SIGNED_IN_USER = "signin_user"
SIGNED_IN_ROLES = "signin_roles"
LOCAL_PASSWORD_ROLES = ("merchandiser", "analyst")  # one shared staff password opens both
# Anyone can open a staff address, shoppers included: the closed page names no commands or files.
NOT_SET_UP = (
    "Staff sign-in is not set up on this shop yet. If you work here, ask the shop's "
    "administrator to set it up (the README's Merchandising section says how)."
)


def is_staff() -> bool:
    """True once someone has signed in for a staff role in this browser session (password or
    single sign-on). It only decides whether the menu lists the staff pages: each page still
    checks its own role with `require_signed_in`."""
    return bool(st.session_state.get(SIGNED_IN_ROLES)) or _oidc_logged_in()


def require_signed_in(role: str) -> str:
    """Who signed in (a verified e-mail or the local account) if they hold `role`; otherwise
    draw sign-in and stop the page."""
    config = auth_config(_secrets())
    if role in st.session_state.get(SIGNED_IN_ROLES, ()):
        _sign_out_button()
        return st.session_state[SIGNED_IN_USER]
    if config.oidc and _oidc_logged_in():
        user = st.user.to_dict()
        email = verified_email(user)
        if email is None:
            st.error(
                "Your sign-in provider has not confirmed your e-mail address, so no staff role "
                "can be given. Confirm it with the provider, then sign in again."
            )
        elif role in config.roles_for_email(email):
            _sign_out_button()
            return email
        else:
            st.error(f"You are signed in as {plain(email)}, which does not have the {role} role.")
            st.info(how_to_open(config))
        _sign_out_button()
        st.stop()
    _sign_in_forms(config, role)
    st.stop()
    raise AssertionError("unreachable: st.stop() ends the run")  # for type checkers


def _sign_in_forms(config: AuthConfig, role: str) -> None:
    st.title("Sign in")
    st.write(f"This page is for staff with the {role} role.")
    if not config.any_method:
        st.warning(NOT_SET_UP)
        return
    if config.oidc:
        for provider in config.providers or (None,):
            label = f"Sign in with {plain(provider)}" if provider else "Sign in with single sign-on"
            if st.button(label, key=f"signin_oidc_{provider or 'default'}"):
                st.login(provider)
    if config.password_hash:
        _password_form(config.password_hash)


def _password_form(password_hash: str) -> None:
    with st.form("signin_form"):
        password = st.text_input("Staff password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in")
    if not submitted:
        return
    attempt = shared_guard().attempt(
        LOCAL_ACCOUNT, lambda: verify_password(password_hash, password)
    )
    if not attempt.accepted:
        st.error(attempt.message())
        return
    st.session_state[SIGNED_IN_USER] = LOCAL_ACCOUNT
    st.session_state[SIGNED_IN_ROLES] = LOCAL_PASSWORD_ROLES
    st.rerun()


def _sign_out_button() -> None:
    if not st.sidebar.button("Sign out", key="signin_sign_out"):
        return
    if SIGNED_IN_ROLES in st.session_state:
        del st.session_state[SIGNED_IN_ROLES]
        st.rerun()
    else:
        st.logout()


def _oidc_logged_in() -> bool:
    # st.user has no is_logged_in attribute at all unless [auth] is configured.
    return bool(getattr(st.user, "is_logged_in", False))


def _secrets() -> dict[str, Any]:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml anywhere: nothing configured
        return {}
