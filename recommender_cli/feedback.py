"""`recommender feedback import | export | purge`: the feedback store from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from recommender.errors import ExitCode, InputError
from recommender.feedback import FeedbackStore, export_feedback, import_feedback, purge
from recommender.settings import MAX_RETENTION_DAYS, Settings


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `feedback` subcommands to `parser`."""
    commands = parser.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)

    importing = commands.add_parser(
        "import", help="add sessions and events from CSV (all or nothing; repeats add nothing)"
    )
    importing.add_argument("--sessions", type=Path, required=True, help="sessions.csv")
    importing.add_argument("--events", type=Path, required=True, help="events.csv")
    importing.set_defaults(handler=run_import)

    exporting = commands.add_parser("export", help="write sessions.csv and events.csv")
    exporting.add_argument("--out", type=Path, required=True, help="folder to write into")
    exporting.set_defaults(handler=run_export)

    purging = commands.add_parser("purge", help="delete feedback older than the retention period")
    purging.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        help="age in days (default: RECOMMENDER_RETENTION_DAYS, 730)",
    )
    purging.set_defaults(handler=run_purge)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """`feedback import`: store sessions and events from CSV files, all or nothing."""
    with FeedbackStore.open(settings.db_url) as store:
        report = import_feedback(store, args.sessions, args.events)
    print(report.summary())
    return ExitCode.OK


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """`feedback export`: write the store's sessions and events as CSV files."""
    # Read-only: an export must work on a store this user may read but not write.
    with FeedbackStore.open(settings.db_url, read_only=True) as store:
        report = export_feedback(store, args.out)
    print(report.summary())
    return ExitCode.OK


def run_purge(args: argparse.Namespace, settings: Settings) -> int:
    """`feedback purge`: delete feedback older than the retention period."""
    days = settings.retention_days if args.older_than is None else args.older_than
    if days > MAX_RETENTION_DAYS:  # a date that far back does not exist: refuse it by name
        raise InputError(f"--older-than: {days} is outside 1 to {MAX_RETENTION_DAYS} days")
    with FeedbackStore.open(settings.db_url) as store:
        report = purge(store, days)
    print(report.summary())
    return ExitCode.OK
