"""`recommender recommend`: one answers file (or stdin), or a JSON-lines batch."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from recommender.errors import AnswersError, InputError
from recommender.files import atomic_writer
from recommender.model.serving import resolve_model
from recommender.settings import Settings
from recommender.shop.last_good import load_serving_engine
from recommender.shopper.answers import MAX_ANSWERS_BYTES, Answers, parse_answers_json
from recommender.shopper.engine import DEFAULT_K, MAX_K, Engine

# Batch lines answered together: the served model is asked once for all of them, and a few
# hundred results in memory are small.
BATCH_LINES = 256


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `recommend` options to `parser`."""
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--answers", metavar="FILE", help="answers JSON file, or - for stdin")
    source.add_argument("--batch", metavar="IN.jsonl", help="one answers object per line")
    parser.add_argument("--out", metavar="OUT.jsonl", help="batch output (default: stdout)")
    parser.add_argument("--k", type=_k, default=DEFAULT_K, help=f"how many products (1-{MAX_K})")
    model = parser.add_mutually_exclusive_group()
    model.add_argument("--model", metavar="ID_OR_PATH", help="use this model, not the promoted one")
    model.add_argument("--rules-only", action="store_true", help="ignore any learned model")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`recommend`: one result for an answers file, or one line per line of a batch."""
    if args.out and not args.batch:
        raise InputError("--out goes with --batch")
    model, notices = resolve_model(settings, args.model, args.rules_only)
    engine = load_serving_engine(
        settings.catalog_dir, model, tuple(notices), settings.money, settings.region
    )
    for notice in engine.notices:
        print(f"recommender: notice: {notice}", file=sys.stderr)
    if args.answers:
        result = engine.recommend(parse_answers_json(_read_answers(args.answers)), args.k)
        print(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2))
        return 0
    with _output(args.out) as out:
        for line in recommend_lines(engine, _read_batch(args.batch), args.k):
            out.write(line + "\n")
    return 0


def recommend_lines(engine: Engine, lines: Iterable[str | bytes], k: int) -> Iterator[str]:
    """One JSON result per input line, in order; a bad line gives an error object instead.

    Line numbers count every line, blank ones too, so an error names the line an editor shows.
    Lines are answered BATCH_LINES at a time, so a served model is asked once per batch.
    """
    numbered = enumerate(lines, start=1)
    while batch := list(itertools.islice(numbered, BATCH_LINES)):
        parsed: list[Answers | dict] = [_parsed(number, line) for number, line in batch]
        valid = [answers for answers in parsed if isinstance(answers, Answers)]
        results = iter(engine.recommend_many(valid, k))
        for answers in parsed:
            payload = next(results).to_json_dict() if isinstance(answers, Answers) else answers
            yield json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _parsed(number: int, line: str | bytes) -> Answers | dict:
    """The line's answers, or the error object that stands in for its result."""
    where = f"line {number}"
    try:
        if not line.strip():
            raise InputError(f"{where}: empty line, expected an answers object")
        return parse_answers_json(line, source=where)
    except AnswersError as error:
        return {"error": f"{where}: {error}"}
    except InputError as error:
        return {"error": str(error)}


def _k(text: str) -> int:
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"{k} is outside 1 to {MAX_K}")
    return k


def _read_answers(path: str) -> bytes:
    stream = sys.stdin.buffer if path == "-" else _open_in(path)
    with stream:
        data = stream.read(MAX_ANSWERS_BYTES + 1)
    return data  # parse_answers_json names an oversized document without reading further


def _read_batch(path: str) -> Iterator[bytes]:
    stream = sys.stdin.buffer if path == "-" else _open_in(path)
    with stream:
        while line := stream.readline(MAX_ANSWERS_BYTES + 1):
            if len(line) > MAX_ANSWERS_BYTES and not line.endswith(b"\n"):
                _skip_rest_of_line(stream)
            yield line  # an oversized line arrives cut just past the limit: refused by size


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    # Read on in bounded pieces, so one huge line never has to fit in memory.
    while piece := stream.readline(1 << 20):
        if piece.endswith(b"\n"):
            return


def _open_in(path: str) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None


@contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """Where batch results go; a file is replaced only once every line is written."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        with atomic_writer(Path(path)) as out:
            yield out
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror})") from None
