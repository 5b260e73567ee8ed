"""`recommender catalog validate | check-personas [DIR]`: check the catalog before it goes live."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recommender.engine import load_engine
from recommender.errors import CatalogError
from recommender.personas import load_personas, run_suite
from recommender.serving import resolve_model
from recommender.settings import Settings
from recommender.validation import catalog_check


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="check the product catalog and weights")
    commands = parser.add_subparsers(dest="catalog_command", metavar="COMMAND", required=True)
    validate = commands.add_parser("validate", help="list every problem with file, row and column")
    validate.add_argument("directory", nargs="?", type=Path, help="default: RECOMMENDER_CATALOG")
    validate.set_defaults(handler=run_validate)
    personas = commands.add_parser("check-personas", help="run the saved personas' expectations")
    personas.add_argument("directory", nargs="?", type=Path, help="default: RECOMMENDER_CATALOG")
    personas.set_defaults(handler=run_check_personas)


def run_validate(args: argparse.Namespace, settings: Settings) -> int:
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
