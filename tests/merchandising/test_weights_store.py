"""Saving weights and stock: checked, atomic, versioned, audited, refused when stale."""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path

import pytest

from recommender.catalog.products import load_catalog
from recommender.errors import CatalogError, InputError
from recommender.files import write_atomically
from recommender.merchandising.history import history
from recommender.merchandising.proposals import CatalogState, current_state, propose, with_stock
from recommender.merchandising.weights_file import render_weights
from recommender.merchandising.weights_store import (
    StaleEditError,
    rollback,
    save_proposal,
    version_state,
)


def edited(opened: CatalogState, **changes: dict) -> dict:
    """The opened weights data with some tables updated, as the page would send it."""
    data = tomllib.loads(opened.weights_text)
    for section, values in changes.items():
        data[section] = {**data.get(section, {}), **values}
    return data


def test_the_shipped_weights_file_is_exactly_what_the_template_renders(opened):
    # So the first save through the page changes only the numbers that were edited.
    assert render_weights(tomllib.loads(opened.weights_text)) == opened.weights_text


def test_a_saved_file_keeps_the_documentation_of_every_knob(catalog_dir, opened):
    proposal = propose(opened, edited(opened, boosts={"KS-101": 0.5}), {})
    save_proposal(catalog_dir, proposal, base_token=opened.token, who="ana")
    text = (catalog_dir / "weights.toml").read_text()
    assert "# How much the per-product boosts below count: 0 to 1, default 0.3." in text
    assert "# Share of sessions shown without boosts: 0 to 0.5, default 0." in text
    assert tomllib.loads(text)["boosts"]["KS-101"] == 0.5


def test_a_save_is_recorded_with_who_when_and_a_diff_after_a_baseline(catalog_dir, opened):
    proposal = propose(opened, edited(opened, blend={"boost": 0.5}), {})
    entry = save_proposal(catalog_dir, proposal, base_token=opened.token, who="ana", note="more")
    baseline, saved = history(catalog_dir)
    assert (baseline.version, baseline.action) == (1, "baseline")
    assert (saved.version, saved.who, saved.note, saved.action) == (2, "ana", "more", "save")
    assert saved == entry and saved.at.endswith("Z")
    assert "-boost = 0.3" in saved.diff and "+boost = 0.5" in saved.diff
    assert version_state(catalog_dir, 1) == opened


def test_a_bad_value_is_named_and_nothing_is_written(catalog_dir, opened):
    data = edited(opened, blend={"boost": 4.0}, boosts={"KS-101": "lots"})
    with pytest.raises(CatalogError) as caught:
        propose(opened, data, {"KS-101": None})
    message = str(caught.value)
    assert "[blend] boost: 4.0 is outside 0 to 1" in message
    assert "[boosts] KS-101: 'lots' is not a number" in message
    assert "column 'in_stock'" in message
    assert current_state(catalog_dir) == opened
    assert history(catalog_dir) == ()


def test_stock_changes_touch_only_that_products_cell(opened):
    text = with_stock(opened.products_text, {"KS-101": False, "KS-102": True})
    before, after = opened.products_text.splitlines(), text.splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert len(changed) == 1 and changed[0][0].replace(",true,", ",false,", 1) == changed[0][1]
    assert with_stock(opened.products_text, {}) == opened.products_text


def test_a_stock_change_is_saved_to_products_csv(catalog_dir, opened):
    proposal = propose(opened, tomllib.loads(opened.weights_text), {"KS-101": False})
    save_proposal(catalog_dir, proposal, base_token=opened.token, who="ana")
    products = load_catalog(catalog_dir).products.set_index("sku")
    assert not products.loc["KS-101", "in_stock"]
    assert products.loc["KS-102", "in_stock"]


def test_the_second_of_two_saves_from_the_same_opened_version_is_refused(catalog_dir, opened):
    first = propose(opened, edited(opened, boosts={"KS-101": 0.4}), {})
    second = propose(opened, edited(opened, boosts={"KS-102": 0.9}), {})
    save_proposal(catalog_dir, first, base_token=opened.token, who="ana")
    with pytest.raises(StaleEditError, match=r"changed since you opened them.*by ana"):
        save_proposal(catalog_dir, second, base_token=opened.token, who="ben")
    assert current_state(catalog_dir).weights_text == first.weights_text
    assert [e.who for e in history(catalog_dir)][1:] == ["ana"]


def test_simultaneous_saves_from_one_version_let_exactly_one_through(catalog_dir, opened):
    proposals = [propose(opened, edited(opened, boosts={"KS-101": b}), {}) for b in (0.2, 0.7)]
    start, outcomes = threading.Barrier(2), []

    def save(index: int) -> None:
        start.wait()
        try:
            save_proposal(catalog_dir, proposals[index], base_token=opened.token, who=f"m{index}")
            outcomes.append(("saved", index))
        except StaleEditError:
            outcomes.append(("refused", index))

    threads = [threading.Thread(target=save, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    winner = next(index for kind, index in outcomes if kind == "saved")
    assert current_state(catalog_dir).weights_text == proposals[winner].weights_text


def test_rollback_restores_a_version_as_a_new_one_and_can_be_undone(catalog_dir, opened):
    proposal = propose(opened, edited(opened, limits={"max_per_category": 3}), {"KS-101": False})
    save_proposal(catalog_dir, proposal, base_token=opened.token, who="ana")
    undone = rollback(catalog_dir, who="ben")
    assert (undone.version, undone.restored_from, undone.action) == (3, 1, "rollback")
    assert current_state(catalog_dir) == opened
    redone = rollback(catalog_dir, who="ben", to=2)
    assert redone.version == 4
    assert current_state(catalog_dir).weights_text == proposal.weights_text
    assert current_state(catalog_dir).products_text == proposal.products_text


def test_rollback_to_an_unknown_version_names_the_known_ones(catalog_dir, opened):
    proposal = propose(opened, edited(opened, boosts={"KS-101": 0.4}), {})
    save_proposal(catalog_dir, proposal, base_token=opened.token, who="ana")
    with pytest.raises(InputError, match=r"no saved version 9 \(saved versions: 1, 2\)"):
        rollback(catalog_dir, who="ana", to=9)


def test_saving_an_unchanged_proposal_is_refused(catalog_dir, opened):
    proposal = propose(opened, tomllib.loads(opened.weights_text), {})
    with pytest.raises(InputError, match="nothing to save"):
        save_proposal(catalog_dir, proposal, base_token=opened.token, who="ana")


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "weights.toml"
    target.write_text("old = 1\n")

    def power_cut(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("recommender.files.os.replace", power_cut)
    with pytest.raises(OSError):
        write_atomically(target, "new = 2\n")
    assert target.read_text() == "old = 1\n"
    assert [p.name for p in Path(tmp_path).iterdir()] == ["weights.toml"]
