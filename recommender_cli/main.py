"""Entry point of the `recommender` command: builds the parser and turns errors into exit codes.

Each command group lives in its own module with a `configure(parser)` function: the shopper and
merchandising groups and the groups that import `training` alike, all in this package.
Only the module of the command named on the line is imported, so `recommender --help` and
`recommender recommend` start without loading pandas, SQLAlchemy or scikit-learn for nothing.
A handler receives the parsed arguments and the settings and returns an exit code. Known errors
print one line on stderr (exit 2 for bad input, 1 otherwise); a traceback is shown only with
`--debug`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from recommender.errors import ExitCode, RecommenderError
from recommender.settings import Settings

# The command groups and their one-line help, in the order `--help` lists them.
COMMANDS = {
    "recommend": "print recommendations as JSON",
    "catalog": "check the product catalog and weights",
    "feedback": "import, export or purge shopper feedback",
    "weights": "saved versions of weights.toml and stock",
    "admin": "set up sign-in for the staff pages",
    "simulate": "write synthetic feedback (sessions.csv, events.csv) for demos and tests",
    "train": "train a candidate re-ranker and compare it with rules-only and the others",
    "evaluate": "compare a model with rules-only, popularity and the served model",
    "models": "list, promote or roll back learned models",
    "serve": "serve the HTTP API (SPEC section 7)",
}


def command_module(name: str) -> ModuleType:
    """The module that configures and handles command `name` (imported only when asked for)."""
    # Plain imports, not import-by-string, so import-linter sees every dependency.
    if name == "recommend":
        from recommender_cli import recommend

        return recommend
    if name == "catalog":
        from recommender_cli import catalog

        return catalog
    if name == "feedback":
        from recommender_cli import feedback

        return feedback
    if name == "weights":
        from recommender_cli import weights

        return weights
    if name == "admin":
        from recommender_cli import admin

        return admin
    if name == "serve":
        from recommender_cli import serve

        return serve
    if name == "simulate":
        from recommender_cli import simulate

        return simulate
    if name == "train":
        from recommender_cli import train

        return train
    if name == "evaluate":
        from recommender_cli import evaluate

        return evaluate
    if name == "models":
        from recommender_cli import models

        return models
    raise KeyError(name)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command and the problem, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(int(ExitCode.BAD_INPUT), f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, with the options of `command` when it names one.

    The other commands are listed by name and help only; their modules (and what they import)
    stay unloaded, which keeps start-up quick for a script calling `recommend` or `--help`.
    """
    parser = _Parser(
        prog="recommender",
        description="Safe, explained product recommendations for braces, insoles and supports.",
    )
    parser.add_argument("--debug", action="store_true", help="show a traceback on failure")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_line in COMMANDS.items():
        command_parser = subparsers.add_parser(name, help=help_line)
        if name == command:
            command_module(name).configure(command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `recommender` command with `argv`; its exit code."""
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
    """The console entry point: run the command and exit with its code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
