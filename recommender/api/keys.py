"""The API keys of RECOMMENDER_API_KEYS, each with an id that may be stored (the key never is).

The setting is a comma-separated list. An entry `NAME:KEY` gives the key the id NAME (letters,
digits, `.`, `_`, `-`; at most 40); a bare `KEY` gets the id `key-` and the first 8 hex digits
of its sha256, which names it in the store and logs without revealing it. A key shorter than
`MIN_KEY_LENGTH` characters is refused at start: a short key is guessed.

    keys = parse_api_keys(["checkout:3b1f...", "9c0e..."])
    matching_key(keys, offered)   # the ApiKey, or None (every key compared in constant time)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from recommender.errors import InputError

API_KEYS_SETTING = "RECOMMENDER_API_KEYS"
MIN_KEY_LENGTH = 16
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
# The clients SPEC section 5 reserves: a key may not take either name.
FINDER, PUBLIC = "finder", "public"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One key of RECOMMENDER_API_KEYS: the id that may be stored, and the secret that never is."""

    key_id: str  # stored as the session's client; never the key itself
    secret: bytes

    def __repr__(self) -> str:  # a key never reaches a log or a traceback
        return f"ApiKey({self.key_id!r})"


def parse_api_keys(entries: Iterable[str]) -> tuple[ApiKey, ...]:
    """The keys of these entries; InputError naming the setting for a short or repeated one."""
    keys: list[ApiKey] = []
    for number, entry in enumerate((e.strip() for e in entries if e.strip()), start=1):
        name, _, secret = entry.partition(":")
        if not secret or not _NAME.fullmatch(name):
            name, secret = "", entry
        secret = secret.strip()
        if len(secret) < MIN_KEY_LENGTH:
            raise InputError(
                f"setting {API_KEYS_SETTING}: key {number} is {len(secret)} characters; "
                f"each key needs at least {MIN_KEY_LENGTH} (a short key is easily guessed)"
            )
        key_id = name or "key-" + hashlib.sha256(secret.encode()).hexdigest()[:8]
        if key_id in (FINDER, PUBLIC) or key_id in {k.key_id for k in keys}:
            raise InputError(
                f"setting {API_KEYS_SETTING}: key {number} is named '{key_id}', which is "
                "taken; give each key its own name"
            )
        keys.append(ApiKey(key_id, secret.encode()))
    return tuple(keys)


def api_keys_from_env(environ: Mapping[str, str] | None = None) -> tuple[ApiKey, ...]:
    """The keys in RECOMMENDER_API_KEYS; none set means events are refused."""
    raw = (os.environ if environ is None else environ).get(API_KEYS_SETTING, "")
    return parse_api_keys(raw.split(","))


def matching_key(keys: Iterable[ApiKey], offered: str) -> ApiKey | None:
    """The key `offered` is, or None. Every key is compared, so the time taken says nothing
    about which one came close."""
    given = offered.strip().encode()
    found = None
    for key in keys:
        if hmac.compare_digest(given, key.secret):
            found = key
    return found
