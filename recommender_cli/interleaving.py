"""`recommender models interleave ID | --stop` and `recommender models interleaving`.

The first names the candidate model whose ranking is interleaved with the served one for
`[experiment] interleave_share` of sessions; the second reports which of the two shoppers
preferred, with a 95% interval.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from recommender.errors import ExitCode, InputError
from recommender.model.interleave_candidate import named_candidate, set_candidate
from recommender.settings import Settings


def register_actions(commands: Any) -> None:
    """Add the two actions to `recommender models`."""
    name = commands.add_parser(
        "interleave", help="name the candidate model to interleave with the served ranking"
    )
    name.add_argument("model_id", metavar="ID", nargs="?")
    name.add_argument("--stop", action="store_true", help="stop interleaving any candidate")
    name.add_argument(
        "--allow-synthetic",
        action="store_true",
        help="interleave a model trained on simulated sessions all the same",
    )
    name.set_defaults(handler=run_interleave)
    report = commands.add_parser(
        "interleaving", help="which ranking shoppers preferred in interleaved sessions"
    )
    report.add_argument("--model", metavar="ID", help="only this candidate")
    report.add_argument("--json", action="store_true")
    report.set_defaults(handler=run_report)


def run_interleave(args: argparse.Namespace, settings: Settings) -> int:
    """`models interleave`: name the candidate to interleave, or stop interleaving."""
    models_dir = settings.models_dir
    if args.stop == (args.model_id is not None):
        raise InputError("models interleave: give a model ID, or --stop (not both)")
    if args.stop:
        was = named_candidate(models_dir)
        set_candidate(models_dir, None)
        print(f"interleaving stopped (was {was or 'no candidate'})")
        return ExitCode.OK
    # Imported only now: checking the model file needs joblib and scikit-learn.
    from recommender.errors import ModelError
    from recommender.model import registry
    from recommender.shopper.engine import load_engine

    card = registry.find_model(models_dir, args.model_id)
    try:
        model = registry.load_verified(card)
    except ModelError as error:
        raise InputError(f"{error}; refused as an interleaving candidate") from None
    synthetic = synthetic_sessions(card.data, model)
    if synthetic and not args.allow_synthetic:
        # Interleaving shows the candidate's order to real shoppers, as serving would.
        raise InputError(
            f"model '{card.model_id}' was trained on {synthetic:,} simulated sessions; refused "
            "as an interleaving candidate (use --allow-synthetic to interleave it anyway)"
        )
    if registry.promoted_id(models_dir) == card.model_id:
        raise InputError(f"model '{card.model_id}' is already served to everyone")
    set_candidate(models_dir, card.model_id)
    weights = load_engine(settings.catalog_dir).weights
    print(f"interleaving candidate: {card.model_id}")
    if not card.trusted:
        # Allowed on purpose: interleaving is how a candidate earns evidence before serving.
        reason = card.data.get("trust", {}).get("reason", "no trust decision on its card")
        print(f"note: the candidate is not trusted yet ({reason})")
    if weights.interleave_share == 0:
        print("note: [experiment] interleave_share is 0 in weights.toml: nothing is interleaved")
    if weights.blend_model == 0:
        print("note: [blend] model is 0 in weights.toml: nothing is interleaved")
    return ExitCode.OK


def synthetic_sessions(card_data: dict[str, Any], model: object) -> int:
    """How many simulated sessions trained the model: its verified state's count where the
    registry keeps one, else its card's."""
    value = getattr(model, "synthetic_sessions", None)
    if value is None:
        value = card_data.get("synthetic_sessions", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    """`models interleaving`: which ranking shoppers preferred in interleaved sessions."""
    from training.interleaving import read_interleaving

    preferences = read_interleaving(settings.db_url, args.model)
    if args.json:
        print(json.dumps([p.to_json() for p in preferences], indent=2))
        return ExitCode.OK
    print(f"interleaving now: {named_candidate(settings.models_dir) or 'no candidate named'}")
    for p in preferences:
        print(f"candidate {p.candidate_model}: {p.sessions} interleaved sessions")
        print(f"  candidate wins {p.wins}, served wins {p.losses}, ties {p.ties}")
        if p.share is not None:
            print(
                f"  candidate share of won sessions {p.share:.3f}, "
                f"95% interval [{p.low:.3f}, {p.high:.3f}], p = {p.p_value:.3g}"
            )
        print(f"  {p.verdict}")
    return ExitCode.OK
