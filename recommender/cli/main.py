"""Entry point of the `recommender` command: builds the parser and turns errors into exit codes.

Each command group lives in its own module under `recommender.cli` with a `register(subparsers)`
function; a handler receives the parsed arguments and the settings and returns an exit code.
Known errors print one line on stderr (exit 2 for bad input, 1 otherwise); a traceback is shown
only with `--debug`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from recommender.errors import ExitCode, RecommenderError
from recommender.settings import Settings

# The command groups, in the order `--help` lists them.
COMMAND_MODULES = (
    "recommend",
    "catalog",
    "feedback",
    "weights",
    "admin",
    "simulate",
    "train",
    "evaluate",
    "models",
    "serve",
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command and the problem, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(int(ExitCode.BAD_INPUT), f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or only for `command` when it names one.

    Each command module imports what it needs (pandas, SQLAlchemy, scikit-learn); loading only
    the one asked for keeps start-up quick, which a script calling `recommend` often notices.
    """
    parser = _Parser(
        prog="recommender",
        description="Safe, explained product recommendations for braces, insoles and supports.",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on failure")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in (command,) if command in COMMAND_MODULES else COMMAND_MODULES:
        importlib.import_module(f"recommender.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_named(argv))
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.handler(args, settings) or ExitCode.OK)
    except RecommenderError as error:
        _report(error, args.debug)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print("recommender: interrupted", file=sys.stderr)
        return int(ExitCode.FAILURE)
    except BrokenPipeError:
        # The reader (say `| head -1`) has all it wanted; that is not a failure of ours.
        _silence_stdout()
        return int(ExitCode.OK)
    except Exception as error:  # the boundary: anything unforeseen is one line, exit 1
        _report(error, args.debug, prefix="unexpected failure: ")
        return int(ExitCode.FAILURE)


def _command_named(argv: Sequence[str]) -> str | None:
    # The only top-level option (--debug) takes no value, so the first word is the command.
    return next((word for word in argv if not word.startswith("-")), None)


def _report(error: BaseException, debug: bool, prefix: str = "") -> None:
    if debug:
        traceback.print_exception(error)
    print(f"recommender: {prefix}{error}", file=sys.stderr)


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail too.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
