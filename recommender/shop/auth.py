"""Who may open the merchandiser and analyst pages: pure logic, no Streamlit.

Two ways in, checked in this order:

- OIDC through Streamlit's `st.login`, when secrets.toml has an `[auth]` table. A signed-in
  user gets the roles whose list in `[roles]` names their e-mail (or holds "*"), and only when
  the provider says it verified that e-mail (`email_verified`): some providers let anyone type
  any address into a new account. Signing in proves who you are, not that you work here.
- A local password, the embedded default: its salted argon2 hash comes from the environment
  variable RECOMMENDER_ADMIN_PASSWORD_HASH or `[admin] password_hash` in secrets.toml, set with
  `recommender admin set-password`. It grants every role. It is one shared account, named
  `LOCAL_ACCOUNT` in the audit log; sign-in attempts on it are throttled (`signin_guard`).

With neither configured the pages stay closed; `how_to_open` says what to do.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from recommender.errors import InputError
from recommender.files import write_atomically

MERCHANDISER, ANALYST = "merchandiser", "analyst"
ROLES = (MERCHANDISER, ANALYST)
PASSWORD_HASH_ENV = "RECOMMENDER_ADMIN_PASSWORD_HASH"
DEFAULT_SECRETS_FILE = Path(".streamlit") / "secrets.toml"
MIN_PASSWORD_LENGTH = 10
ANYONE_SIGNED_IN = "*"
# Who the audit log names after a local-password sign-in: the account, since a typed-in name
# proves nothing. Per-person records come with single sign-on.
LOCAL_ACCOUNT = "admin (local password)"

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs


@dataclass(frozen=True, slots=True)
class AuthConfig:
    """What sign-in methods this deployment has."""

    oidc: bool
    password_hash: str | None
    role_members: Mapping[str, tuple[str, ...]]
    # Named providers ([auth.google], [auth.microsoft], ...); empty when [auth] holds one
    # provider's settings directly. `st.login` needs the name whenever there are several.
    providers: tuple[str, ...] = ()

    @property
    def any_method(self) -> bool:
        """Whether any way of signing in is set up."""
        return self.oidc or self.password_hash is not None

    def roles_for_email(self, email: str | None) -> frozenset[str]:
        """The roles a *verified* e-mail holds by the `[roles]` lists in secrets.toml."""
        address = normalise_email(email)
        if not address:
            return frozenset()
        return frozenset(
            role
            for role, members in self.role_members.items()
            if ANYONE_SIGNED_IN in members or address in members
        )

    def roles_for_user(self, user: Mapping[str, Any]) -> frozenset[str]:
        """The roles of an OIDC user (Streamlit's `st.user`): none unless the e-mail is verified."""
        return self.roles_for_email(verified_email(user))


def normalise_email(email: object) -> str:
    """The form e-mails are compared and recorded in: trimmed, lower case; "" for no e-mail."""
    return str(email).strip().lower() if isinstance(email, str) else ""


def verified_email(user: Mapping[str, Any]) -> str | None:
    """The user's normalised e-mail if their identity provider verified it, else None.

    OIDC's `email_verified` claim is a boolean; a few providers send the string "true".
    A missing claim counts as unverified.
    """
    verified = user.get("email_verified")
    if verified is not True and not (isinstance(verified, str) and verified.lower() == "true"):
        return None
    return normalise_email(user.get("email")) or None


def auth_config(secrets: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> AuthConfig:
    """Read the sign-in setup from decoded secrets and the environment (which wins)."""
    env = os.environ if environ is None else environ
    admin = secrets.get("admin", {})
    stored = env.get(PASSWORD_HASH_ENV) or (
        admin.get("password_hash") if isinstance(admin, Mapping) else None
    )
    roles = secrets.get("roles", {})
    members = {
        role: tuple(normalise_email(str(m)) for m in _as_list(roles.get(role)))
        for role in ROLES
        if isinstance(roles, Mapping)
    }
    auth = secrets.get("auth")
    return AuthConfig(
        oidc=isinstance(auth, Mapping),
        password_hash=stored or None,
        role_members=members,
        providers=tuple(k for k, v in auth.items() if isinstance(v, Mapping))
        if isinstance(auth, Mapping)
        else (),
    )


def _as_list(value: Any) -> Iterable[Any]:
    if value is None:
        return ()
    return [value] if isinstance(value, str) else value


def how_to_open(config: AuthConfig) -> str:
    """A message for a closed page: what an administrator can do to open it."""
    if config.oidc:
        return (
            "Ask an administrator to add your e-mail to the [roles] table of "
            '.streamlit/secrets.toml (for example: merchandiser = ["you@example.com"]).'
        )
    return (
        "No sign-in is set up yet. An administrator can set a password with "
        "`recommender admin set-password` (or set RECOMMENDER_ADMIN_PASSWORD_HASH), "
        "or configure single sign-on in the [auth] table of .streamlit/secrets.toml."
    )


def hash_password(password: str) -> str:
    """A salted argon2id hash of `password`; refuses one too short to be worth protecting."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Does `password` match `stored_hash`? False, never an error, for any bad input."""
    if not stored_hash or not password:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def save_password_hash(secrets_path: Path, password_hash: str) -> None:
    """Write `[admin] password_hash` into secrets.toml atomically, keeping its other tables.

    The file is readable by its owner only: it may also hold the OIDC client secret.
    """
    secrets_path = Path(secrets_path)
    secrets: dict[str, Any] = {}
    if secrets_path.exists():
        try:
            secrets = tomllib.loads(secrets_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InputError(f"{secrets_path}: not valid TOML ({error}); fix it first") from None
    admin = secrets.get("admin")
    secrets["admin"] = {
        **(admin if isinstance(admin, dict) else {}),
        "password_hash": password_hash,
    }
    write_atomically(secrets_path, tomli_w.dumps(secrets), mode=0o600)
