"""The registry as an analyst meets it: train, promote, roll back, refuse tampered files, exit codes."""

from __future__ import annotations

import hashlib
import json

import pytest

from recommender.errors import InputError
from recommender.merchandising.weights_store import propose_model_weight
from recommender.model import registry
from recommender_cli.main import main
from training.pipeline import promote_model


def test_model_from_the_shops_own_sessions_is_trusted_and_served_once_promoted(
    shop_settings, shop_trained
):
    trained = shop_trained
    assert trained.card.trusted, trained.card.data["trust"]
    assert trained.card.data["synthetic_sessions"] == 0
    assert registry.load_for_serving(shop_settings, None) == (None, [])  # nothing promoted yet

    promote_model(shop_settings, trained.card.model_id)
    model, notices = registry.load_for_serving(shop_settings, None)

    assert model is not None and model.model_id == trained.card.model_id
    assert notices == []


def test_tampered_model_file_is_refused_with_a_notice(settings, trained):
    path = trained.card.model_path
    path.write_bytes(path.read_bytes() + b"\0")

    model, notices = registry.load_for_serving(settings, trained.card.model_id)

    assert model is None
    assert "sha256" in notices[0] and "rules-only" in notices[0]


def test_a_model_file_is_checked_against_the_registry_not_the_card_beside_it(settings, trained):
    path = trained.card.model_path
    changed = path.read_text() + "\n"  # still a valid model text: only the hash can tell
    path.write_text(changed)
    card_path = trained.card.folder / registry.CARD_FILE
    card = json.loads(card_path.read_text())
    card["sha256"][registry.MODEL_FILE] = hashlib.sha256(changed.encode()).hexdigest()
    card_path.write_text(json.dumps(card))

    model, notices = registry.load_for_serving(settings, str(trained.card.folder))

    assert model is None and "sha256 the registry recorded" in notices[0]


def test_promote_then_rollback_returns_to_the_earlier_model(settings, trained_twice):
    trained, second = trained_twice
    promote_model(settings, trained.card.model_id, allow_synthetic=True)
    promote_model(settings, second.card.model_id, force=True, allow_synthetic=True)
    assert registry.promoted_id(settings.models_dir) == second.card.model_id

    assert registry.rollback(settings.models_dir) == trained.card.model_id
    assert registry.rollback(settings.models_dir) is None  # back to rules-only
    with pytest.raises(InputError, match="nothing to roll back"):
        registry.rollback(settings.models_dir)


def test_untrusted_model_is_not_promoted_without_force(settings, trained):
    card_path = trained.card.folder / registry.CARD_FILE
    card = json.loads(card_path.read_text())
    card["trust"] = {"trusted": False, "reason": "trained on 12 sessions", "rule": ""}
    card_path.write_text(json.dumps(card))

    promote = ["models", "promote", trained.card.model_id, "--allow-synthetic"]
    assert main(promote) == 2
    assert registry.promoted_id(settings.models_dir) is None
    assert main([*promote, "--force"]) == 0
    model, notices = registry.load_for_serving(settings, None)
    assert model is None and "not trusted" in notices[0]


def test_unknown_model_reference_names_it(settings):
    with pytest.raises(InputError, match="no-such-model"):
        registry.load_for_serving(settings, "no-such-model")


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--sessions", "0", "--out", "x"],
        ["simulate", "--sessions", "ten", "--out", "x"],
        ["simulate", "--sessions", "5", "--out", "x", "--explore-share", "2"],
        ["models", "promote", "no-such-model"],
        ["models", "rollback"],
        ["evaluate", "--model", "no-such-model"],
        ["evaluate"],
    ],
)
def test_bad_input_exits_with_code_2(settings, argv, capsys):
    with pytest.raises(SystemExit) as raised:
        code = main(argv)
        raise SystemExit(code)
    assert raised.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_train_on_an_empty_store_is_bad_input(settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RECOMMENDER_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["train"]) == 2
    assert "too little to train on" in capsys.readouterr().err


def test_simulate_writes_marked_synthetic_files(settings, tmp_path):
    out = tmp_path / "sim"
    assert main(["simulate", "--sessions", "20", "--out", str(out), "--seed", "3"]) == 0
    assert (out / "SYNTHETIC").exists() and (out / "README.txt").exists()
    header, first = (out / "sessions.csv").read_text().splitlines()[:2]
    assert header == "session_id,created_at,answers,triage_level,model_version,policy"
    assert first.startswith("sim-")
    events_header = (out / "events.csv").read_text().splitlines()[0]
    assert events_header == "session_id,ts,sku,position,event,propensity"


def test_analyst_sees_a_tampered_promoted_model_refused_everywhere(settings, trained_twice, capsys):
    trained, second = trained_twice
    promote_model(settings, trained.card.model_id, allow_synthetic=True)
    path = trained.card.model_path
    path.write_bytes(path.read_bytes()[:-1] + b"\1")
    capsys.readouterr()

    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert "REFUSED" in listing and "sha256" in listing
    assert listing.strip().endswith("serving: rules-only")

    assert main(["evaluate"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "sha256" in err

    second.card.model_path.write_bytes(b"not a model")  # a later model, damaged
    argv = ["models", "promote", second.card.model_id, "--force", "--allow-synthetic"]
    assert main(argv) == 2
    assert registry.promoted_id(settings.models_dir) == trained.card.model_id


def test_removed_promoted_model_serves_rules_only_with_a_notice(settings, trained):
    promote_model(settings, trained.card.model_id, allow_synthetic=True)
    for file in trained.card.folder.iterdir():
        file.unlink()
    trained.card.folder.rmdir()

    model, notices = registry.load_for_serving(settings, None)

    assert model is None and trained.card.model_id in notices[0]


def test_train_json_names_the_new_model_and_where_it_is(settings, capsys):
    assert main(["train", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    card = registry.find_model(settings.models_dir, report["model_id"])
    assert report["path"] == str(card.folder) and card.model_path.is_file()
    assert set(report["evaluation"]["metrics"]) == {
        "candidate",
        "rules-only",
        "popularity",
        "lightgbm-lambdarank, unbiased",
    }


def test_train_prints_the_corrected_comparison_first_and_the_biased_one_labelled(settings, capsys):
    assert main(["train"]) == 0
    out = capsys.readouterr().out

    corrected, biased = out.index("CORRECTED for position bias"), out.index("UNCORRECTED, biased")
    assert corrected < biased
    assert "effective sample size" in out and "clipped below at" in out
    assert "bootstrap, paired by session" in out  # the interval method is named


def test_evaluate_json_carries_both_comparisons_and_the_card_records_the_evidence(
    settings, trained, capsys
):
    promote_model(settings, trained.card.model_id, force=True, allow_synthetic=True)
    assert main(["evaluate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    corrected = report["corrected"]
    assert corrected["clip"] > 0 and 0 < corrected["effective_sample_size"] <= corrected["sessions"]
    assert set(corrected["differences"]["rules-only"]) == {"ips dcg@5", "snips ndcg@5"}
    assert report["biased"] is True and "rules-only" in report["differences"]
    trust = trained.card.data["trust"]
    assert {"estimator", "clip", "sessions", "effective_sample_size"} <= set(trust)
    assert "position-corrected" in trust["reason"]


def test_train_reports_the_best_model_weight_beside_the_current_one(settings, trained, capsys):
    blend = trained.card.data["blend"]
    assert blend["current"] == 0.3 and blend["best"] in blend["grid"]
    assert blend["proposed"] == blend["best"]
    assert blend["estimates"][f"{blend['best']:g}"] == max(blend["estimates"].values())
    difference = blend["best_minus_current"]
    assert difference["low"] <= difference["mean"] <= difference["high"]


def test_promote_proposes_the_fitted_weight_as_a_weights_version(settings, trained, capsys):
    weights = settings.catalog_dir / "weights.toml"
    best = trained.card.data["blend"]["proposed"]
    assert best != 0.3  # this world's model earns more than the shipped weight
    argv = ["models", "promote", trained.card.model_id, "--force", "--allow-synthetic"]
    assert main(argv) == 0
    assert f"proposed model weight {best:g} as weights version 2" in capsys.readouterr().out
    assert f"model = {best}" in weights.read_text()
    assert main(["weights", "history"]) == 0
    assert trained.card.model_id in capsys.readouterr().out


def test_a_proposed_weight_is_a_weights_version_with_who_and_why_that_rolls_back(settings, capsys):
    weights = settings.catalog_dir / "weights.toml"
    before = weights.read_text()
    entry = propose_model_weight(settings.catalog_dir, 0.8, why="model m1, model weight 0.8")
    assert entry is not None and entry.action == "promotion"
    assert "model = 0.8" in weights.read_text()

    assert main(["weights", "history"]) == 0
    history = capsys.readouterr().out
    assert "analyst (models promote)" in history
    assert "proposed by the analyst's promotion: model m1, model weight 0.8" in history

    assert main(["weights", "rollback"]) == 0  # a merchandiser undoes it like any save
    assert weights.read_text() == before
    assert propose_model_weight(settings.catalog_dir, 0.3, why="same") is None  # nothing to do


def test_promote_with_keep_weights_leaves_them(settings, trained, capsys):
    weights = settings.catalog_dir / "weights.toml"
    before = weights.read_text()
    argv = ["models", "promote", trained.card.model_id, "--force", "--allow-synthetic"]
    assert main([*argv, "--keep-weights"]) == 0
    assert "weights unchanged" in capsys.readouterr().out
    assert weights.read_text() == before
    assert registry.promoted_id(settings.models_dir) == trained.card.model_id


@pytest.mark.parametrize(
    ("grid", "named"),
    [("0,2", "2 is outside 0 to 1"), ("0,half", "'half' is not a number"), (",", "give 1 to")],
)
def test_a_bad_blend_grid_is_refused_by_name(settings, grid, named, capsys):
    assert main(["train", "--blend-grid", grid]) == 2
    err = capsys.readouterr().err
    assert "--blend-grid: " in err and named in err and "Traceback" not in err
    assert not settings.models_dir.exists() or not any(settings.models_dir.iterdir())
