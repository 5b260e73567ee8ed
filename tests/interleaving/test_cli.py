"""`recommender models interleave | interleaving` and the interleave_share knob, as an analyst
and a merchandiser meet them: clear messages and exit codes."""

from __future__ import annotations

import json

import pytest

from recommender.feedback import FeedbackStore, TeamPicks
from recommender.feedback.policy import ranked
from recommender.model.interleave_candidate import load_candidate, named_candidate
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import load_engine
from recommender_cli.main import main
from tests.interleaving.conftest import set_knob


def test_naming_an_unknown_model_is_refused_with_exit_2(shop_dirs, capsys):
    assert main(["models", "interleave", "m-nothing"]) == 2
    err = capsys.readouterr().err
    assert "m-nothing" in err and "Traceback" not in err
    assert named_candidate(shop_dirs.models_dir) is None


def test_naming_a_model_id_and_stop_together_or_neither_is_a_usage_error(shop_dirs, capsys):
    assert main(["models", "interleave", "x", "--stop"]) == 2
    assert main(["models", "interleave"]) == 2
    assert "--stop" in capsys.readouterr().err


@pytest.mark.slow  # trains a candidate model first
def test_an_analyst_names_a_candidate_then_stops_interleaving_it(shop_dirs, with_model, capsys):
    set_knob(shop_dirs, "interleave_share", "0.2")

    assert main(["models", "interleave", with_model, "--allow-synthetic"]) == 0
    assert f"interleaving candidate: {with_model}" in capsys.readouterr().out
    assert named_candidate(shop_dirs.models_dir) == with_model
    candidate, notices = load_candidate(shop_dirs, load_engine(shop_dirs.catalog_dir))
    assert candidate is not None and candidate.model_id == with_model
    assert not [n for n in notices if "refused" in n or "not used" in n]

    assert main(["models", "interleave", "--stop"]) == 0
    assert f"was {with_model}" in capsys.readouterr().out
    assert load_candidate(shop_dirs, load_engine(shop_dirs.catalog_dir)) == (None, [])


def test_naming_a_candidate_while_the_share_is_0_says_nothing_is_interleaved(
    shop_dirs, with_model, capsys
):
    assert main(["models", "interleave", with_model, "--allow-synthetic"]) == 0
    assert "interleave_share is 0" in capsys.readouterr().out


@pytest.mark.slow  # trains a candidate model first
def test_a_candidate_with_the_model_weight_at_0_is_not_used_and_says_why(shop_dirs, with_model):
    set_knob(shop_dirs, "model", "0.0")
    assert main(["models", "interleave", with_model, "--allow-synthetic"]) == 0
    candidate, notices = load_candidate(shop_dirs, load_engine(shop_dirs.catalog_dir))
    assert candidate is None and "[blend] model is 0" in notices[0]


def test_a_damaged_model_file_is_refused_as_a_candidate(shop_dirs, with_model, capsys):
    path = next((shop_dirs.models_dir / with_model).glob("model.*"))
    path.write_bytes(path.read_bytes() + b"\0")
    assert main(["models", "interleave", with_model, "--allow-synthetic"]) == 2
    assert "refused" in capsys.readouterr().err
    assert named_candidate(shop_dirs.models_dir) is None


def test_the_report_with_no_interleaved_sessions_is_a_clear_exit_2(shop_dirs, capsys):
    assert main(["models", "interleaving"]) == 2
    err = capsys.readouterr().err
    assert "no interleaved sessions" in err and "models interleave ID" in err
    assert err.count("\n") == 1


def test_the_report_prints_wins_losses_ties_and_the_interval(shop_dirs, capsys):
    engine = load_engine(shop_dirs.catalog_dir)
    answers = parse_answers({"pain_areas": ["knee"], "activities": ["running"]})
    with FeedbackStore.open(shop_dirs.db_url) as store:
        for n in range(30):
            shown = ranked(engine.recommend(answers, 4))
            teams = ("candidate", "served", "served", "candidate")
            session = store.record_shown(
                answers, shown, experiment="interleave", picks=TeamPicks("m-new", teams)
            )
            clicked = shown.result.items[0 if n < 24 else 1]
            store.log_outcome(session, sku=clicked.sku, position=clicked.rank, event="click")

    assert main(["models", "interleaving"]) == 0
    out = capsys.readouterr().out
    assert "interleaving now: no candidate named" in out
    assert "candidate m-new: 30 interleaved sessions" in out
    assert "candidate wins 24, served wins 6, ties 0" in out
    assert "shoppers prefer the candidate" in out

    assert main(["models", "interleaving", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["wins"], row["losses"], row["ties"]) == (24, 6, 0)
    assert row["low"] > 0.5 and row["share"] == 0.8

    assert main(["models", "interleaving", "--model", "m-other"]) == 2
    assert "for model 'm-other'" in capsys.readouterr().err


def test_a_bad_interleave_share_is_refused_naming_the_key(shop_dirs, capsys):
    set_knob(shop_dirs, "interleave_share", "0.7")
    assert main(["catalog", "validate", str(shop_dirs.catalog_dir)]) == 2
    assert "[experiment] interleave_share: 0.7 is outside 0 to 0.5" in capsys.readouterr().err

    set_knob(shop_dirs, "interleave_share", '"half"')
    assert main(["catalog", "validate", str(shop_dirs.catalog_dir)]) == 2
    assert "interleave_share: 'half' is not a number" in capsys.readouterr().err


def test_experiment_shares_that_leave_no_room_are_refused(shop_dirs, capsys):
    for key in ("no_boost_share", "no_model_share", "interleave_share"):
        set_knob(shop_dirs, key, "0.4")
    assert main(["catalog", "validate", str(shop_dirs.catalog_dir)]) == 2
    assert "add up to more than 1" in capsys.readouterr().err


def test_a_model_trained_on_simulated_sessions_is_refused_unless_allowed(
    shop_dirs, with_model, capsys
):
    card_path = shop_dirs.models_dir / with_model / "card.json"
    card = json.loads(card_path.read_text())
    card_path.write_text(json.dumps({**card, "synthetic_sessions": 1500}))

    assert main(["models", "interleave", with_model]) == 2
    err = capsys.readouterr().err
    assert "simulated sessions" in err and "--allow-synthetic" in err
    assert named_candidate(shop_dirs.models_dir) is None

    assert main(["models", "interleave", with_model, "--allow-synthetic"]) == 0
    assert named_candidate(shop_dirs.models_dir) == with_model
