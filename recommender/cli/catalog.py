"""`recommender catalog validate [DIR]`: check products and weights before they go live."""

from __future__ import annotations

import argparse
from pathlib import Path

from recommender.errors import CatalogError
from recommender.settings import Settings
from recommender.validation import catalog_problems


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="check the product catalog and weights")
    commands = parser.add_subparsers(dest="catalog_command", metavar="COMMAND", required=True)
    validate = commands.add_parser("validate", help="list every problem with file, row and column")
    validate.add_argument("directory", nargs="?", type=Path, help="default: RECOMMENDER_CATALOG")
    validate.set_defaults(handler=run_validate)


def run_validate(args: argparse.Namespace, settings: Settings) -> int:
    directory = args.directory or settings.catalog_dir
    if not directory.is_dir():
        raise CatalogError([f"{directory}: not a directory"])
    problems = catalog_problems(directory)
    if problems:
        raise CatalogError(problems)
    print(f"{directory}: products and weights are valid")
    return 0
