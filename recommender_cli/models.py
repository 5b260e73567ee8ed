"""`recommender models list | promote ID [--force] [--allow-synthetic] | rollback | import PATH`,
and `interleave ID | interleaving` (recommender_cli.interleaving).

`list` reads cards and checks the recorded hashes; it never parses a model file.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from recommender.errors import ExitCode, InputError
from recommender.model import registry
from recommender.model.promotion import promoted_or_notice
from recommender.settings import Settings
from recommender.shopper.ranker import RULES_ONLY
from recommender_cli.interleaving import register_actions as register_interleaving


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `models` subcommands to `parser`."""
    commands = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = commands.add_parser("list", help="every model, its data, trust and NDCG@5")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)
    promote = commands.add_parser("promote", help="serve a model (refused unless it is better)")
    promote.add_argument("model_id", metavar="ID")
    promote.add_argument("--force", action="store_true", help="promote even if not shown better")
    promote.add_argument(
        "--allow-synthetic",
        action="store_true",
        help="serve a model trained on simulated sessions (a demo; it always carries a notice)",
    )
    promote.add_argument(
        "--keep-weights",
        action="store_true",
        help="leave weights.toml as it is (default: save the model weight the blend fit found)",
    )
    promote.set_defaults(handler=run_promote)
    taken = commands.add_parser(
        "import", help="take a model folder from outside RECOMMENDER_MODELS into the registry"
    )
    taken.add_argument("path", metavar="PATH", help="a folder with model.txt and model.json")
    taken.set_defaults(handler=run_import)
    back = commands.add_parser("rollback", help="serve the model promoted before the current one")
    back.set_defaults(handler=run_rollback)
    register_interleaving(commands)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """`models list`: every model with its card, read without loading a model."""
    cards = registry.list_models(settings.models_dir)
    promoted, _ = promoted_or_notice(settings.models_dir)  # a damaged state: see the notices
    serving, notices = registry.serving_status(settings)
    rows = [_summary(card, card.model_id == promoted) for card in cards]
    if args.json:
        listing = {"promoted": promoted, "serving": serving, "notices": notices, "models": rows}
        print(json.dumps(listing, indent=2))
        return ExitCode.OK
    if not rows:
        for notice in notices:
            print(f"notice: {notice}")
        print(f"no models in {settings.models_dir} (serving rules-only)")
        return ExitCode.OK
    for row in rows:
        mark = "*" if row["promoted"] else " "
        trusted = "trusted" if row["trusted"] else "untrusted"
        simulated = (
            f"  SIMULATED ({row['synthetic_sessions']:,})" if row["synthetic_sessions"] else ""
        )
        print(
            f"{mark} {row['id']}  {row['created']}  {row['train_sessions']:>7} sessions  "
            f"corrected lead over rules-only {_lead(row['corrected_lead'])}  "
            f"ndcg@5 {row['ndcg@5']:.4f} (uncorrected, biased)  {trusted}{simulated}"
        )
        if row["file"] != "ok":
            print(f"    REFUSED: {row['file']}")
    for notice in notices:
        print(f"notice: {notice}")
    print(f"serving: {serving}")
    return ExitCode.OK


def run_promote(args: argparse.Namespace, settings: Settings) -> int:
    """`models promote`: serve a model, if it is trusted and better (or forced)."""
    from training.pipeline import promote_model

    with _writing(settings):
        print(
            promote_model(
                settings,
                args.model_id,
                force=args.force,
                allow_synthetic=args.allow_synthetic,
                keep_weights=args.keep_weights,
            )
        )
    return ExitCode.OK


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """`models import`: take a model folder from elsewhere into the registry."""
    card = registry.import_model(settings.models_dir, args.path)
    print(f"imported {args.path} as {card.model_id} (not promoted; `models promote` serves it)")
    return ExitCode.OK


def run_rollback(args: argparse.Namespace, settings: Settings) -> int:
    """`models rollback`: serve the model promoted before the current one."""
    with _writing(settings):
        previous = registry.rollback(settings.models_dir)
    print(f"rolled back: serving {previous or RULES_ONLY}")
    return ExitCode.OK


@contextmanager
def _writing(settings: Settings) -> Iterator[None]:
    """A registry.json that cannot be written (read-only, full disk) names the setting."""
    try:
        yield
    except OSError as error:
        raise InputError(
            f"setting RECOMMENDER_MODELS ({settings.models_dir}): cannot write registry.json "
            f"({error.strerror or error}); the promoted model is unchanged"
        ) from None


def _summary(card: registry.ModelCard, promoted: bool) -> dict[str, Any]:
    data = card.data
    return {
        "id": card.model_id,
        "created": data.get("created", ""),
        "train_sessions": data.get("data", {}).get("train_sessions", 0),
        "ndcg@5": float(card.own_metrics.get("ndcg@5", float("nan"))),
        "corrected_lead": _corrected_lead(data),
        "trusted": card.trusted,
        "synthetic_sessions": card.synthetic_sessions,
        "promoted": promoted,
        "file": registry.file_problem(card) or "ok",
    }


def _corrected_lead(data: dict[str, Any]) -> dict[str, float] | None:
    """The card's position-corrected lead over rules-only (primary estimator), if it has one."""
    corrected = data.get("metrics", {}).get("corrected") or {}
    lead = corrected.get("differences", {}).get(RULES_ONLY, {}).get(corrected.get("primary"))
    return None if not lead else {k: lead[k] for k in ("mean", "low", "high")}


def _lead(lead: dict[str, float] | None) -> str:
    if lead is None:
        return "n/a"
    return f"{lead['mean']:+.4f} [{lead['low']:+.4f}, {lead['high']:+.4f}]"
