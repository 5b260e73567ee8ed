"""`recommender catalog validate | check-personas [DIR] | import-feed FEED --mapping MAP.toml`."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from recommender.catalog.validation import catalog_check
from recommender.errors import CatalogError
from recommender.merchandising.personas import load_personas, run_suite
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shopper.engine import load_engine


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `catalog` subcommands to `parser`."""
    commands = parser.add_subparsers(dest="catalog_command", metavar="COMMAND", required=True)
    validate = commands.add_parser("validate", help="list every problem with file, row and column")
    validate.add_argument("directory", nargs="?", type=Path, help="default: RECOMMENDER_CATALOG")
    validate.set_defaults(handler=run_validate)
    personas = commands.add_parser("check-personas", help="run the saved personas' expectations")
    personas.add_argument("directory", nargs="?", type=Path, help="default: RECOMMENDER_CATALOG")
    personas.set_defaults(handler=run_check_personas)
    feed = commands.add_parser(
        "import-feed", help="build products.csv and sizes.csv from the shop's product feed"
    )
    feed.add_argument("feed", type=Path, help="Merchant Center TSV or RSS XML, or Shopify CSV")
    feed.add_argument("--mapping", type=Path, required=True, metavar="MAP.toml")
    feed.add_argument(
        "--out", type=Path, help="write into this folder (default: a new version of the catalog)"
    )
    feed.add_argument("--who", help="name for the audit log (default: your login name)")
    feed.add_argument(
        "--accept-changes",
        action="store_true",
        help="save even when the feed turns a safety property off, removes or cheapens many "
        "products, or has nothing in stock (recorded in the version's note)",
    )
    feed.set_defaults(handler=run_import_feed)


def run_validate(args: argparse.Namespace, settings: Settings) -> int:
    """`catalog validate`: list every problem of the catalog's files (exit 2 when any)."""
    directory = args.directory or settings.catalog_dir
    if not directory.is_dir():
        raise CatalogError([f"{directory}: not a directory"])
    problems, warnings = catalog_check(directory)
    for warning in warnings:  # shown with the problems too, so one run lists everything
        print(f"warning: {warning}", file=sys.stderr)
    if problems:
        raise CatalogError(problems)
    print(f"{directory}: products, sizes and weights are valid")
    return 0


def run_check_personas(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every expectation holds; 2, listing them, when any is broken or a file is bad.

    A broken expectation is a problem with the catalog or weights (the input), like a problem
    `catalog validate` finds; exit 1 stays for unexpected failures, as everywhere else.
    """
    directory = args.directory or settings.catalog_dir
    if not directory.is_dir():
        raise CatalogError([f"{directory}: not a directory"])
    model, _ = resolve_model(settings, None, rules_only=False)  # judge what shoppers are served
    engine = load_engine(directory, model)
    outcomes = run_suite(engine, load_personas(directory, engine.catalog.skus))
    failures = [f"{o.persona.id}: {f}" for o in outcomes for f in o.failures]
    checked = sum(len(o.persona.expectations) for o in outcomes)
    print(f"{len(outcomes)} personas, {checked} expectations, {len(failures)} failing")
    if failures:
        raise CatalogError(failures)
    return 0


def run_import_feed(args: argparse.Namespace, settings: Settings) -> int:
    """`catalog import-feed`: build the catalog from the shop's feed and save it as a version."""
    # Only this command needs the feed readers.
    from recommender.feed.changes import FeedLimits
    from recommender.feed.save import import_feed

    limits = FeedLimits(settings.feed_max_removed_share, settings.feed_max_price_drop_share)
    built, saved = import_feed(
        args.feed,
        args.mapping,
        catalog_dir=settings.catalog_dir,
        out=args.out,
        who=args.who or getpass.getuser(),
        limits=limits,
        accept_changes=args.accept_changes,
    )
    for note in built.notes:
        print(f"note: {note}", file=sys.stderr)
    if saved.changes is not None:
        lines = (
            saved.changes.report()
            if saved.changes.any
            else ["no product, price, stock or safety changes"]
        )
        for line in lines:
            print(f"change: {line}")
    for accepted in saved.accepted:
        print(f"accepted: {accepted}", file=sys.stderr)
    target = args.out or settings.catalog_dir
    summary = f"{built.items} items -> {built.products} products, {built.size_rows} sizes"
    if not saved.changed:
        print(f"{args.feed.name} ({built.format}): {summary}; {target} already matches, unchanged")
    elif saved.version is not None:
        print(
            f"{args.feed.name} ({built.format}): {summary}; saved as catalog version "
            f"{saved.version} in {target} (undo: recommender weights rollback)"
        )
    else:
        print(f"{args.feed.name} ({built.format}): {summary}; written to {target}")
    return 0
