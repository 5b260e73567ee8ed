"""What-if: how a proposed change moves each persona's top 5, before anything is saved."""

from __future__ import annotations

import tomllib

import pytest

from recommender.catalog.products import load_catalog
from recommender.errors import CatalogError
from recommender.merchandising.personas import load_personas
from recommender.merchandising.proposals import load_proposal, propose
from recommender.merchandising.whatif import (
    ENTERED,
    LEFT,
    clashes,
    compare,
    edited_cells,
    editor_tables,
    knob_rows,
    product_rows,
    rule_rows,
    weights_data_from_rows,
    with_cells,
)
from recommender.shopper.engine import build_engine
from recommender.shopper.rules import load_rule_book


def engines(opened, weights_data, in_stock):
    current = load_proposal(opened.weights_text, opened.products_text)
    proposed = propose(opened, weights_data, in_stock)
    return (
        build_engine(current.catalog, current.weights),
        build_engine(proposed.catalog, proposed.weights),
    )


def by_id(result):
    return {c.persona_id: c for c in result.comparisons}


def test_a_big_boost_brings_a_product_into_the_office_workers_top_5(catalog_dir, opened):
    data = tomllib.loads(opened.weights_text)
    data["boosts"] = {"PC-702": 1.0}
    data["blend"]["boost"] = 1.0
    result = compare(*engines(opened, data, {}), load_personas(catalog_dir))
    office = by_id(result)["office-worker-lower-back"]
    assert "PC-702" not in office.current and office.proposed[0] == "PC-702"
    moves = {m.sku: m.movement for m in office.moves}
    assert moves["PC-702"] == ENTERED
    assert LEFT in moves.values()
    rows = office.side_by_side({"PC-702": "Posture Vest"})
    assert rows[0] == {
        "rank": 1,
        "current": office.current[0],
        "proposed": "PC-702 Posture Vest",
        "change": ENTERED,
    }


def test_taking_a_product_out_of_stock_breaks_an_expectation_and_says_so(catalog_dir, opened):
    data = tomllib.loads(opened.weights_text)
    out_of_stock = {"LC-801": False, "LC-802": False, "LC-803": False}
    result = compare(*engines(opened, data, out_of_stock), load_personas(catalog_dir))
    broken = dict(result.newly_broken)
    assert broken["office-worker-lower-back"].startswith(
        "category_in_top lumbar_cushion within 3: expected a lumbar_cushion in the top 3"
    )
    assert "emergency-saddle-numbness" not in broken


def test_no_change_moves_nothing(catalog_dir, opened):
    data = tomllib.loads(opened.weights_text)
    result = compare(*engines(opened, data, {}), load_personas(catalog_dir))
    assert result.changed == () and result.newly_broken == ()


def test_the_editor_tables_read_back_into_the_same_weights(opened):
    current = load_proposal(opened.weights_text, opened.products_text)
    data, in_stock = weights_data_from_rows(
        knob_rows(opened.weights_text),
        rule_rows(opened.weights_text, load_rule_book()),
        product_rows(opened.weights_text, current.catalog),
    )
    proposal = propose(opened, data, in_stock)
    assert proposal.weights_text == opened.weights_text
    assert proposal.products_text == opened.products_text


def test_a_whole_number_knob_edited_as_a_fraction_is_named(opened):
    rows = knob_rows(opened.weights_text)
    for row in rows:
        if row["key"] == "max_per_category":
            row["value"] = 2.5
    data, _ = weights_data_from_rows(rows, [], [])
    with pytest.raises(CatalogError, match=r"\[limits\] max_per_category: 2.5 is not a whole"):
        propose(opened, data, {})


def test_ones_own_edits_carry_over_onto_someone_elses_newer_files(opened, catalog_dir):
    catalog, rules = load_catalog(catalog_dir), load_rule_book()
    before = editor_tables(opened.weights_text, rules, catalog)
    mine = {
        "products": [
            {**r, "boost": 0.5} if r["sku"] == "KS-101" else r for r in before["products"]
        ],
        "knobs": before["knobs"],
        "rules": before["rules"],
    }
    my_cells = {table: edited_cells(table, before[table], mine[table]) for table in before}
    assert my_cells == {"products": {("KS-101",): {"boost": 0.5}}, "knobs": {}, "rules": {}}

    theirs_text = opened.weights_text.replace("[boosts]\n", "[boosts]\nKS-101 = -0.2\n")
    after = editor_tables(theirs_text, rules, catalog)
    assert clashes(my_cells, before, after) == ["KS-101 boost"]
    rebased = with_cells("products", after["products"], my_cells["products"])
    assert next(r["boost"] for r in rebased if r["sku"] == "KS-101") == 0.5


def test_a_preview_writes_no_file_and_loads_as_the_saved_files_would(
    catalog_dir, opened, monkeypatch
):
    """A preview checks the texts in memory: no scratch folder, no temp file, same versions."""
    import tempfile

    def no_scratch(*args, **kwargs):
        raise AssertionError("a preview wrote a scratch file")

    for name in ("mkdtemp", "mkstemp", "TemporaryDirectory", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_scratch)
    data = tomllib.loads(opened.weights_text)
    data["blend"]["boost"] = 0.6
    current, proposed = engines(opened, data, {"KS-101": False})
    result = compare(current, proposed, load_personas(catalog_dir))
    assert result.comparisons
    monkeypatch.undo()
    assert current.catalog.version == load_catalog(catalog_dir).version
    assert proposed.catalog.version != current.catalog.version  # KS-101's stock cell changed
    assert not proposed.catalog.products.set_index("sku").loc["KS-101", "in_stock"]
