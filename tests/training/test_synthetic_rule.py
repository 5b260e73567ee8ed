"""Never ship simulated data silently: the card counts synthetic sessions, promotion refuses them
unless asked, and a served synthetic model always says so."""

from __future__ import annotations

import hashlib
import json

from recommender.model import registry
from recommender.shop.shopping import MODEL_SIMULATED, shopper_notes
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import load_engine
from recommender_cli.main import main


def test_the_card_says_what_a_model_learned_from_and_with_what(trained, shop_trained):
    simulated = trained.card
    shop = shop_trained.card

    for card in (simulated, shop):
        data = card.data
        assert data["data"]["from"] < data["data"]["to"]
        assert data["metrics"]["metrics"]["candidate"]["ndcg@5"] > 0
        assert data["versions"]["lightgbm"].startswith("4.")
        assert "answer:pain:knee" in data["features"] and "position" not in data["features"]
        known, catalog = data["data"]["products_known"], data["data"]["products_in_catalog"]
        assert 0 < known <= catalog
        for name in registry.MODEL_FILES:
            on_disk = hashlib.sha256((card.folder / name).read_bytes()).hexdigest()
            assert data["sha256"][name] == on_disk
    trained_on = simulated.data["data"]["train_sessions"]
    assert simulated.data["synthetic_sessions"] == trained_on > 0
    assert simulated.data["synthetic_share"] == 1.0
    assert shop.data["synthetic_sessions"] == 0 and shop.data["synthetic_share"] == 0.0


def test_an_analyst_cannot_promote_a_simulated_model_without_saying_so(settings, trained, capsys):
    model_id = trained.card.model_id
    capsys.readouterr()

    assert main(["models", "promote", model_id]) == 2
    error = capsys.readouterr().err
    assert "simulated sessions" in error and "--allow-synthetic" in error
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error
    assert main(["models", "promote", model_id, "--force"]) == 2  # --force is not enough
    assert registry.promoted_id(settings.models_dir) is None

    assert main(["models", "promote", model_id, "--allow-synthetic"]) == 0
    assert "simulated" in capsys.readouterr().out
    assert registry.promoted_id(settings.models_dir) == model_id


def test_editing_the_card_does_not_hide_simulated_training(settings, trained):
    card = trained.card
    path = card.folder / registry.CARD_FILE
    path.write_text(json.dumps({**card.data, "synthetic_sessions": 0, "synthetic_share": 0.0}))

    assert main(["models", "promote", card.model_id]) == 2
    assert registry.promoted_id(settings.models_dir) is None


def test_a_served_simulated_model_always_carries_a_notice(settings, trained, capsys, tmp_path):
    model_id = trained.card.model_id
    assert main(["models", "promote", model_id, "--allow-synthetic"]) == 0
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"pain_areas": ["knee"], "activities": ["walking"]}))
    capsys.readouterr()

    assert main(["recommend", "--answers", str(answers)]) == 0
    shown = capsys.readouterr()
    assert json.loads(shown.out)["model_version"] == model_id
    assert "simulated sessions" in shown.err

    model, notices = registry.load_for_serving(settings, None)
    result = load_engine(settings.catalog_dir, model, tuple(notices)).recommend(
        parse_answers({"pain_areas": ["knee"]}), 5
    )
    assert result.model_version == model_id
    assert shopper_notes(result, None) == (MODEL_SIMULATED,)  # the shopper is told too

    assert main(["models", "list"]) == 0
    assert "simulated sessions" in capsys.readouterr().out
