"""`recommender simulate`: synthetic sessions.csv and events.csv, clearly marked synthetic."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from recommender.errors import ExitCode, InputError
from recommender.settings import Settings
from recommender.shopper.engine import load_engine

# A run keeps every session in memory until it writes them (about 4 KB each), so the cap bounds
# memory near half a GB; a larger demo set is several runs with different seeds.
MAX_SESSIONS = 100_000


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `simulate` options to `parser`."""
    parser.add_argument(
        "--sessions", type=session_count, required=True, metavar="N",
        help=f"how many shoppers (1 to {MAX_SESSIONS:,})",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--seed", type=seed, default=0, metavar="S", help="0 or more")
    parser.add_argument(
        "--explore-share", type=share, default=None, metavar="P",
        help="share of sessions shown in random order (default 0.05, the shop default)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`simulate`: write synthetic sessions and events, marked synthetic."""
    from training.simulate import DEFAULT_EXPLORE_SHARE, simulate, write_simulation

    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out {args.out}: is a file, expected a folder to write into")
    engine = load_engine(settings.catalog_dir)  # rules-only: what shoppers saw before any model
    explore = DEFAULT_EXPLORE_SHARE if args.explore_share is None else args.explore_share
    feedback = simulate(engine, args.sessions, seed=args.seed, explore_share=explore, progress=True)
    try:
        n_sessions, n_events = write_simulation(feedback, args.out)
    except OSError as error:
        raise InputError(f"--out {args.out}: cannot write there ({error.strerror})") from None
    print(
        f"wrote {n_sessions} synthetic sessions and {n_events} events to {args.out}",
        file=sys.stderr,
    )
    return ExitCode.OK


def positive_int(text: str) -> int:
    """`text` as a whole number above 0, or an argparse error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def session_count(text: str) -> int:
    """`text` as a session count within the limit, or an argparse error."""
    value = positive_int(text)
    if value > MAX_SESSIONS:
        raise argparse.ArgumentTypeError(
            f"{value:,} is over the {MAX_SESSIONS:,} sessions one run may simulate "
            "(memory grows with every session); run several with different --seed values"
        )
    return value


def seed(text: str) -> int:
    """`text` as a seed (a whole number of 0 or more), or an argparse error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{value} must be 0 or more (and below 2**63)")
    return value


def share(text: str) -> float:
    """`text` as a share from 0 to 1, or an argparse error."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value:g} is outside 0 to 1")
    return value
