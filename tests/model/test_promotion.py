"""Promote and rollback: which model the shop serves, kept in `registry.json`."""

from __future__ import annotations

import json

import pytest

from recommender.errors import InputError, ModelError
from recommender.model import promotion
from recommender.model.cards import CARD_FILE


def register(models_dir, *model_ids):
    for model_id in model_ids:
        folder = models_dir / model_id
        folder.mkdir(parents=True)
        (folder / CARD_FILE).write_text(json.dumps({"id": model_id}), encoding="utf-8")


def test_a_fresh_shop_serves_rules_only(tmp_path):
    assert promotion.read_state(tmp_path) == {"promoted": None, "history": []}
    assert promotion.promoted_id(tmp_path) is None


def test_promote_then_roll_back_step_by_step_to_rules_only(tmp_path):
    register(tmp_path, "m-a", "m-b")
    assert promotion.set_promoted(tmp_path, "m-a") is None
    assert promotion.set_promoted(tmp_path, "m-b") == "m-a"
    assert promotion.promoted_id(tmp_path) == "m-b"

    assert promotion.rollback(tmp_path) == "m-a"
    assert promotion.rollback(tmp_path) is None  # back to rules-only
    with pytest.raises(InputError, match="nothing to roll back to"):
        promotion.rollback(tmp_path)


def test_promoting_the_served_model_again_changes_nothing(tmp_path):
    register(tmp_path, "m-a")
    promotion.set_promoted(tmp_path, "m-a")
    before = (tmp_path / promotion.STATE_FILE).read_text(encoding="utf-8")
    assert promotion.set_promoted(tmp_path, "m-a") == "m-a"
    assert (tmp_path / promotion.STATE_FILE).read_text(encoding="utf-8") == before


def test_an_unknown_model_is_refused_by_name_and_nothing_changes(tmp_path):
    with pytest.raises(InputError, match="'m-missing'"):
        promotion.set_promoted(tmp_path, "m-missing")
    assert not (tmp_path / promotion.STATE_FILE).exists()


def test_the_state_file_is_written_whole_with_no_temporary_file_left(tmp_path):
    register(tmp_path, "m-a")
    promotion.set_promoted(tmp_path, "m-a")
    state = json.loads((tmp_path / promotion.STATE_FILE).read_text(encoding="utf-8"))
    assert state == {"promoted": "m-a", "history": [None]}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[1, 2]", "expected an object"),
        ('{"promoted": 7}', "'promoted' must be a model id or null"),
        ('{"promoted": null, "history": "m-a"}', "'history' must be a list"),
        ('{"promoted": ', "unreadable registry state"),
    ],
)
def test_a_damaged_state_file_is_named_and_serving_falls_back_to_rules_only(tmp_path, text, why):
    (tmp_path / promotion.STATE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match=why):
        promotion.read_state(tmp_path)
    promoted, notice = promotion.promoted_or_notice(tmp_path)
    assert promoted is None
    assert promotion.STATE_FILE in notice and notice.endswith("serving rules-only")
