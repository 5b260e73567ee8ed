"""`recommender admin set-password`: the local password that opens the staff pages."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from recommender.errors import InputError
from recommender.settings import Settings
from recommender.shop.auth import DEFAULT_SECRETS_FILE, hash_password, save_password_hash


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `admin` subcommands to `parser`."""
    commands = parser.add_subparsers(dest="admin_command", metavar="COMMAND", required=True)
    password = commands.add_parser(
        "set-password", help="store a salted hash of a new password in secrets.toml"
    )
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin, not a prompt"
    )
    password.add_argument(
        "--secrets",
        type=Path,
        default=DEFAULT_SECRETS_FILE,
        help=f"default: {DEFAULT_SECRETS_FILE}",
    )
    password.set_defaults(handler=run_set_password)


def run_set_password(args: argparse.Namespace, settings: Settings) -> int:
    """`admin set-password`: store a salted argon2 hash of a new staff password."""
    if args.secrets.is_dir():
        raise InputError(f"--secrets {args.secrets}: is a folder, expected a secrets.toml file")
    password = _password_from_stdin() if args.password_stdin else _password_from_prompt()
    try:
        save_password_hash(args.secrets, hash_password(password))
    except OSError as error:
        raise InputError(
            f"--secrets {args.secrets}: cannot write there ({error.strerror or error}); "
            "nothing was saved"
        ) from None
    print(f"password hash saved in {args.secrets} (the password itself is not stored)")
    return 0


def _password_from_stdin() -> str:
    # Only the line ending is trimmed: spaces inside or around a password are part of it.
    return sys.stdin.readline().rstrip("\r\n")


def _password_from_prompt() -> str:
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise InputError("the two passwords differ; nothing was saved")
    return first
