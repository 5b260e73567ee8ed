"""`recommender weights history | rollback [--to VERSION]`: the saved versions of the knobs."""

from __future__ import annotations

import argparse
import getpass

from recommender.merchandising.history import history
from recommender.merchandising.proposals import current_state
from recommender.merchandising.weights_store import rollback
from recommender.settings import Settings


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `weights` subcommands to `parser`."""
    commands = parser.add_subparsers(dest="weights_command", metavar="COMMAND", required=True)
    listing = commands.add_parser("history", help="every saved version: who, when, what")
    listing.add_argument("--diff", action="store_true", help="also print each version's diff")
    listing.set_defaults(handler=run_history)
    back = commands.add_parser("rollback", help="restore a saved version (as a new version)")
    back.add_argument("--to", type=_version, metavar="VERSION", help="default: the one before")
    back.add_argument("--who", help="name for the audit log (default: your login name)")
    back.set_defaults(handler=run_rollback)


def run_history(args: argparse.Namespace, settings: Settings) -> int:
    """`weights history`: list the saved versions of the catalog's weights and products."""
    current_state(settings.catalog_dir)  # finishes a save a crash interrupted, before listing
    entries = history(settings.catalog_dir)
    if not entries:
        print(f"{settings.catalog_dir}: no saved versions yet")
    for entry in entries:
        note = f"  {entry.note}" if entry.note else ""
        print(f"{entry.version:>4}  {entry.at}  {entry.action:<8}  {entry.who}{note}")
        if args.diff and entry.diff:
            print(entry.diff)
    return 0


def run_rollback(args: argparse.Namespace, settings: Settings) -> int:
    """`weights rollback`: make an earlier version live again, as a new version."""
    entry = rollback(settings.catalog_dir, who=args.who or getpass.getuser(), to=args.to)
    print(f"restored version {entry.restored_from}; saved as version {entry.version}")
    return 0


def _version(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a version number (1, 2, ...)")
    return int(text)
