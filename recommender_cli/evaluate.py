"""`recommender evaluate`: the train-time comparison, for an existing model."""

from __future__ import annotations

import argparse
import json

from recommender.errors import ExitCode
from recommender.settings import Settings


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `evaluate` options to `parser`."""
    parser.add_argument(
        "--model", metavar="ID", help="model id or path (default: the promoted one)"
    )
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`evaluate`: compare a model with rules-only and popularity on held-out sessions."""
    from training.evaluate import format_table
    from training.pipeline import evaluate_model

    evaluation = evaluate_model(settings, args.model)
    if args.json:
        print(json.dumps(evaluation.to_json(), indent=2, default=str))
    else:
        print(format_table(evaluation))
    return ExitCode.OK
