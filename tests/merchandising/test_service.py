"""The merchandising service: what a merchandiser sees when they open the files, preview a
change, save it and roll it back, without the page."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from recommender.merchandising import service
from recommender.merchandising.history import history
from recommender.merchandising.proposals import current_state
from recommender.settings import Settings
from recommender.shopper.answers import parse_answers
from recommender.shopper.engine import load_engine

OFFICE_WORKER = {
    "age_band": "16_49",
    "pain_areas": ["lower_back"],
    "sitting_hours": 10,
    "habits": ["slouching", "unsupportive_chair"],
}


@pytest.fixture
def settings(catalog_dir: Path) -> Settings:
    return Settings.from_env()


def edited(workspace: service.Workspace, table: str, key: str, **cells) -> dict:
    """The workspace's editor tables with one row of `table` edited, as the editors return them."""
    rows = workspace.editor_rows({})
    column = {"knobs": "key", "rules": "rule", "products": "sku"}[table]
    row = next(r for r in rows[table] if r[column] == key)
    row.update(cells)
    return rows


def out_of_stock(workspace: service.Workspace, *skus: str) -> dict:
    rows = workspace.editor_rows({})
    for row in rows["products"]:
        if row["sku"] in skus:
            row["in_stock"] = False
    return rows


def top_skus(catalog_dir: Path, answers: dict) -> list[str]:
    result = load_engine(catalog_dir).recommend(parse_answers(answers), 5)
    return [item.sku for item in result.items]


def test_opening_shows_the_files_as_they_are_and_no_saved_versions_yet(catalog_dir):
    workspace = service.open_files(catalog_dir)
    assert workspace.opened == current_state(catalog_dir)
    assert workspace.current is not None and not workspace.problems
    skus = [row["sku"] for row in workspace.tables["products"]]
    assert "SC-902" in skus and len(skus) == len(workspace.current.catalog.skus)
    assert service.versions(catalog_dir).entries == ()


def test_an_untouched_editor_previews_no_change(settings, catalog_dir):
    workspace = service.open_files(catalog_dir)
    preview = service.preview(settings, workspace, workspace.editor_rows({}))
    assert not preview.changed and preview.what_if is None and not preview.blockers
    assert not any(preview.mine.values()) and not preview.stale


def test_a_preview_shows_the_change_without_saving_it(settings, catalog_dir):
    before = current_state(catalog_dir)
    workspace = service.open_files(catalog_dir)
    rows = edited(workspace, "products", "SC-902", boost=1.0)
    rows = {**rows, "knobs": edited(workspace, "knobs", "boost", value=1.0)["knobs"]}
    preview = service.preview(settings, workspace, rows)
    assert preview.changed and preview.what_if is not None
    office = next(c for c in preview.what_if.changed if c.persona_id == "office-worker-lower-back")
    assert office.proposed[0] == "SC-902" != office.current[0]
    assert "SC-902 Ardenfield Gel Seat Pad: rose from" in office.moves[0].describe()
    assert preview.mine["products"] == {("SC-902",): {"boost": 1.0}}
    assert current_state(catalog_dir) == before
    assert history(catalog_dir) == ()


def test_a_bad_value_is_named_and_nothing_can_be_saved(settings, catalog_dir):
    workspace = service.open_files(catalog_dir)
    preview = service.preview(settings, workspace, edited(workspace, "knobs", "boost", value=4.0))
    assert preview.proposal is None
    assert "weights.toml [blend] boost: 4.0 is outside 0 to 1" in preview.problems


def test_a_change_that_breaks_an_expectation_names_it_and_keys_its_override(settings, catalog_dir):
    workspace = service.open_files(catalog_dir)
    cushions = service.preview(
        settings, workspace, out_of_stock(workspace, "LC-801", "LC-802", "LC-803")
    )
    assert any(
        b.startswith("office-worker-lower-back: category_in_top lumbar_cushion")
        for b in cushions.blockers
    )
    stretch = [s for s in workspace.current.catalog.skus if s.startswith("ST-")]
    more = service.preview(
        settings, workspace, out_of_stock(workspace, "LC-801", "LC-802", "LC-803", *stretch)
    )
    assert any(b.startswith("sciatica-pattern: category_in_top stretch_aid") for b in more.blockers)
    assert more.override_key != cushions.override_key  # one override never covers another


def test_save_then_rollback_restores_the_earlier_ranking(settings, catalog_dir):
    original_top = top_skus(catalog_dir, OFFICE_WORKER)
    workspace = service.open_files(catalog_dir)
    rows = edited(workspace, "products", "SC-902", boost=1.0)
    rows = {**rows, "knobs": edited(workspace, "knobs", "boost", value=1.0)["knobs"]}
    preview = service.preview(settings, workspace, rows)
    saved = service.save(catalog_dir, workspace, preview.proposal, who="ana", note="seat pads")
    assert saved.done and saved.message == "Saved as version 2."
    assert top_skus(catalog_dir, OFFICE_WORKER)[0] == "SC-902" != original_top[0]
    assert "-SC-902 = 1.0" in service.rollback_preview(catalog_dir, 1)
    reopened = service.open_files(catalog_dir)
    undone = service.rollback(catalog_dir, reopened, who="ana", to=1)
    assert undone.done and undone.message == "Restored version 1 as version 3."
    assert top_skus(catalog_dir, OFFICE_WORKER) == original_top
    listed = service.versions(catalog_dir)
    assert listed.numbers == [3, 2, 1] and listed.default_index == 1
    assert [row["what"] for row in listed.rows] == ["rollback", "save", "baseline"]
    assert listed.rows[1]["note"] == "seat pads"


def test_someone_elses_save_is_reported_with_the_value_you_both_changed(settings, catalog_dir):
    mine = service.open_files(catalog_dir)
    theirs = service.open_files(catalog_dir)
    their_change = service.preview(
        settings, theirs, edited(theirs, "products", "KS-101", boost=-0.4)
    )
    assert service.save(catalog_dir, theirs, their_change.proposal, who="ben", note="").done
    preview = service.preview(settings, mine, edited(mine, "products", "KS-101", boost=0.5))
    assert preview.stale and preview.clashes == ("KS-101 boost",)
    refused = service.save(catalog_dir, mine, preview.proposal, who="ana", note="")
    assert not refused.done
    assert "changed since you opened them" in refused.message
    assert refused.message.endswith("Your edits are still on this page.")
    assert tomllib.loads(current_state(catalog_dir).weights_text)["boosts"]["KS-101"] == -0.4


def test_a_hand_broken_file_is_named_and_a_rollback_still_repairs_it(settings, catalog_dir):
    workspace = service.open_files(catalog_dir)
    preview = service.preview(
        settings, workspace, edited(workspace, "products", "KS-101", boost=0.5)
    )
    service.save(catalog_dir, workspace, preview.proposal, who="ana", note="")
    good = current_state(catalog_dir)
    (catalog_dir / "weights.toml").write_text("[blend]\nboost = 9\n")
    broken = service.open_files(catalog_dir)
    assert broken.current is None
    assert "weights.toml [blend] boost: 9 is outside 0 to 1" in broken.problems
    assert not service.preview(settings, broken, {}).changed
    assert service.rollback(catalog_dir, broken, who="ana", to=2).done
    assert current_state(catalog_dir) == good


def test_rolling_back_to_a_version_never_saved_is_refused_by_name(catalog_dir):
    assert service.rollback(catalog_dir, service.open_files(catalog_dir), who="ana", to=7) == (
        service.Outcome(False, "Not rolled back: no saved version 7 (saved versions: none yet)")
    )
