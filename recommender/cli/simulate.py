"""`recommender simulate`: synthetic sessions.csv and events.csv, clearly marked synthetic."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from recommender.engine import load_engine
from recommender.errors import ExitCode
from recommender.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate", help="write synthetic feedback (sessions.csv, events.csv) for demos and tests"
    )
    parser.add_argument("--sessions", type=positive_int, required=True, metavar="N")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--seed", type=int, default=0, metavar="S")
    parser.add_argument(
        "--explore-share", type=share, default=None, metavar="P",
        help="share of sessions shown in random order (default 0.05, the shop default)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from training.simulate import DEFAULT_EXPLORE_SHARE, simulate, write_simulation

    engine = load_engine(settings.catalog_dir)  # rules-only: what shoppers saw before any model
    explore = DEFAULT_EXPLORE_SHARE if args.explore_share is None else args.explore_share
    feedback = simulate(engine, args.sessions, seed=args.seed, explore_share=explore, progress=True)
    n_sessions, n_events = write_simulation(feedback, args.out)
    print(
        f"wrote {n_sessions} synthetic sessions and {n_events} events to {args.out}",
        file=sys.stderr,
    )
    return ExitCode.OK


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value:g} is outside 0 to 1")
    return value
