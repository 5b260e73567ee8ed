"""Which model the shop serves: the promoted one when it is trusted and verified, else
rules-only with a notice saying why."""

from __future__ import annotations

from datetime import UTC, datetime

from recommender.model import registry
from recommender.model.promotion import STATE_FILE
from recommender.model.serving import resolve_model, served_model_name
from recommender.shopper.ranker import RULES_ONLY


def save(models_dir, estimator, *, trusted: bool) -> str:
    card = {
        "created": datetime(2026, 1, 2, tzinfo=UTC).isoformat(),
        "trust": {"trusted": trusted, "reason": "test card"},
    }
    return registry.save_model(models_dir, estimator, card).model_id


def test_nothing_promoted_serves_rules_only_without_a_notice(models_settings):
    assert resolve_model(models_settings, None, rules_only=False) == (None, [])
    assert served_model_name(models_settings) == (RULES_ONLY, [])


def test_the_promoted_trusted_model_is_served_by_its_id(models_settings, small_model):
    model_id = save(models_settings.models_dir, small_model, trusted=True)
    registry.set_promoted(models_settings.models_dir, model_id)

    model, notices = resolve_model(models_settings, None, rules_only=False)
    assert model is not None and model.name == model_id
    assert notices == []
    assert served_model_name(models_settings) == (model_id, [])
    assert resolve_model(models_settings, None, rules_only=True) == (None, [])  # --rules-only


def test_an_untrusted_model_is_not_served_and_the_page_says_why(models_settings, small_model):
    model_id = save(models_settings.models_dir, small_model, trusted=False)
    registry.set_promoted(models_settings.models_dir, model_id)

    name, notices = served_model_name(models_settings)
    assert name == RULES_ONLY
    assert notices == [f"model '{model_id}' is not trusted (test card); serving rules-only"]


def test_a_changed_model_file_is_refused(models_settings, small_model):
    model_id = save(models_settings.models_dir, small_model, trusted=True)
    registry.set_promoted(models_settings.models_dir, model_id)
    with (models_settings.models_dir / model_id / registry.MODEL_FILE).open("a") as handle:
        handle.write("\n")

    model, notices = resolve_model(models_settings, None, rules_only=False)
    assert model is None
    assert "does not match the sha256" in notices[0] and notices[0].endswith("rules-only")


def test_a_damaged_state_file_serves_rules_only_with_a_notice(models_settings):
    models_settings.models_dir.mkdir(parents=True)
    (models_settings.models_dir / STATE_FILE).write_text("not json", encoding="utf-8")
    name, notices = served_model_name(models_settings)
    assert name == RULES_ONLY
    assert len(notices) == 1 and STATE_FILE in notices[0]
