"""`recommender train`: fit a candidate on the feedback store, evaluate it, save it with its card."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from recommender.errors import ExitCode, InputError
from recommender.settings import Settings, writable_folder


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `train` options to `parser`."""
    parser.add_argument("--out", type=Path, metavar="DIR", help="save here (default: the registry)")
    parser.add_argument(
        "--seed", type=int, default=0, help="the same data and seed give the same model"
    )
    parser.add_argument(
        "--blend-grid",
        metavar="W,W,..",
        default=None,
        help="model weights (0 to 1) at which to estimate the served order (default 0, 0.1, .., 1)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--exclude-client",
        action="append",
        default=[],
        metavar="CLIENT",
        help="leave out the sessions this client made (finder, public or an API key's id; "
        "repeat for several)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """`train`: fit a candidate on the store's feedback and save it with its card."""
    from training.blend import DEFAULT_GRID, blend_line, parse_grid
    from training.evaluate import format_table
    from training.pipeline import tqdm_progress, train_candidate
    from training.trust import verdict_line

    grid = DEFAULT_GRID if args.blend_grid is None else parse_grid(args.blend_grid)
    where = "--out" if args.out else "RECOMMENDER_MODELS"
    out_dir = writable_folder(args.out or settings.models_dir, where)
    try:
        report = train_candidate(
            settings,
            out_dir=args.out,
            seed=args.seed,
            progress=tqdm_progress("train"),
            exclude_clients=tuple(args.exclude_client),
            blend_grid=grid,
        )
    except OSError as error:  # the disk filled up while saving, or the folder went read-only
        raise InputError(
            f"setting {where} ({out_dir}): cannot save the model ({error.strerror or error})"
        ) from None
    if args.json:
        print(json.dumps(report.to_json(), indent=2, default=str))
        return ExitCode.OK
    for notice in report.notices:
        print(f"notice: {notice}")
    print(format_table(report.evaluation))
    blend = report.card.data.get("blend")
    if blend:
        print("\n" + blend_line(blend))
    print(
        f"\nsaved {report.card.model_id} in {report.card.folder}: {verdict_line(report.card.data)}"
    )
    return ExitCode.OK
