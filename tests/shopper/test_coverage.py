"""The clinical coverage table: every row sourced and acted on, every rule covered, and the
red-flag questions a shopper is asked follow from where it hurts."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.errors import AnswersError, CatalogError
from recommender.shopper import guidance
from recommender.shopper.conditions import read_table
from recommender.shopper.coverage import (
    COVERAGE_TABLE,
    MAX_FLAGS_PER_SCREEN,
    PAIN_AREAS,
    RED_FLAGS,
    load_coverage,
    red_flag_screens,
    red_flags_to_ask,
    titled_red_flag_screens,
)

# Rule ids other branches are adding now (issue 19). The table names them as if they exist; this
# list empties at merge, when the lead reconciles the branches.
PENDING_RULES = frozenset(
    {
        "triage:hip_fracture_risk",
        "triage:knee_trauma_from_55",
        "triage:high_risk_diabetic_foot",
        "caution:diabetic_foot_no_toe_devices",
        "caution:no_compression_with_neuropathy",
        "caution:compression_diabetes_circulation_check",
        "caution:no_magnets_in_pregnancy",
        "caution:ng59_insoles_not_a_treatment",
        "caution:ng226_braces_not_routine",
        "care_note:diabetes_foot_check",
        "guidance:ng59_top3",
        "guidance:ng226_top3",
        "advice:protect_fresh_injury",
        "advice:osteoporosis_no_loaded_bending",
    }
)
# Rules those branches replace (by knee_trauma_from_55 and high_risk_diabetic_foot): they leave
# safety.toml at merge, so the table no longer names them. Also empties at merge.
REPLACED_RULES = frozenset({"triage:knee_injury_65_plus", "triage:numbness_with_diabetes"})


def _ids(table: dict, kind: str) -> set[str]:
    return {f"{kind}:{entry.get('id', '')}" for entry in table.get(kind, [])}


def _guidance_rules() -> set[str]:
    """The guidance placements guidance.py applies (its PLACEMENTS, once they carry ids)."""
    return {f"guidance:{p.id}" for p in getattr(guidance, "PLACEMENTS", ())}


def _safety_rules() -> set[str]:
    """safety.toml's triage rules, cautions and care notes."""
    safety = read_table("safety.toml")
    return set().union(*(_ids(safety, kind) for kind in ("triage", "caution", "care_note")))


def _safety_and_guidance_rules() -> frozenset[str]:
    """Every rule that needs a row: the safety rules and the guidance placements, with those
    still pending at merge."""
    pending = {rule for rule in PENDING_RULES if not rule.startswith("advice:")}
    return frozenset(_safety_rules() | _guidance_rules() | pending)


def _rules_in_data() -> frozenset[str]:
    """Every rule the data files and guidance.py define."""
    advice = _ids(read_table("advice.toml"), "advice")
    return frozenset(_safety_rules() | advice | _guidance_rules())


def _bundled() -> dict:
    return copy.deepcopy(read_table(COVERAGE_TABLE))


def _refused(table: dict) -> str:
    with pytest.raises(CatalogError) as refused:
        load_coverage(table)
    return str(refused.value)


# --- the table ties rows to rules ------------------------------------------------------------


def test_every_row_names_a_source_and_either_its_rules_or_why_it_is_out_of_scope():
    for row in load_coverage().rows:
        assert row.source.strip(), row.id
        assert bool(row.rules) != bool(row.out_of_scope), row.id


def test_a_row_naming_no_rule_and_no_reason_is_refused_by_name():
    table = _bundled()
    del table["row"][0]["rules"]
    message = _refused(table)
    assert f"row '{table['row'][0]['id']}'" in message and "field 'rules'" in message


def test_a_row_without_a_source_is_refused_by_name():
    table = _bundled()
    table["row"][3]["source"] = ""
    assert f"row '{table['row'][3]['id']}': field 'source'" in _refused(table)


def test_an_out_of_scope_row_says_whether_a_question_would_help():
    table = _bundled()
    table["row"].append(
        {
            "id": "made_up",
            "section": "knee",
            "kind": "red_flag",
            "what": "something we cannot ask",
            "source": "a source",
            "areas": ["knee"],
            "out_of_scope": "we cannot ask it",
        }
    )
    assert "row 'made_up': field 'question_worth_adding'" in _refused(table)


def test_every_rule_named_by_the_table_exists_in_the_data_files_or_is_pending_at_merge():
    named = load_coverage().rule_ids()
    missing = named - _rules_in_data() - PENDING_RULES
    assert not missing, f"rows name rules that do not exist: {sorted(missing)}"


def test_a_row_naming_a_rule_that_does_not_exist_is_caught():
    table = _bundled()
    table["row"][0]["rules"] = ["triage:no_such_rule"]
    named = load_coverage(table).rule_ids()
    assert named - _rules_in_data() - PENDING_RULES == {"triage:no_such_rule"}


def _uncovered(named: frozenset[str]) -> frozenset[str]:
    return _safety_and_guidance_rules() - named - REPLACED_RULES


def test_every_triage_rule_caution_and_guidance_placement_has_a_row():
    uncovered = _uncovered(load_coverage().rule_ids())
    assert not uncovered, f"rules with no row in {COVERAGE_TABLE}: {sorted(uncovered)}"


def test_a_caution_whose_row_is_removed_is_caught_as_a_rule_with_no_row():
    table = _bundled()
    magnets = "caution:magnets_no_good_evidence"
    table["row"] = [row for row in table["row"] if magnets not in row.get("rules", [])]
    assert _uncovered(load_coverage(table).rule_ids()) == {magnets}


def test_every_pending_rule_is_named_by_a_row_so_the_list_is_not_stale():
    assert load_coverage().rule_ids() >= PENDING_RULES


def test_the_merge_lists_empty_once_the_other_branches_land():
    arrived = PENDING_RULES & _rules_in_data()
    assert not arrived, f"these now exist: take them out of PENDING_RULES: {sorted(arrived)}"
    gone = REPLACED_RULES - _rules_in_data()
    assert not gone, f"these left safety.toml: take them out of REPLACED_RULES: {sorted(gone)}"


def test_a_rule_kind_the_product_does_not_have_is_refused():
    table = _bundled()
    table["row"][0]["rules"] = ["policy:something"]
    assert f"row '{table['row'][0]['id']}': field 'rules'" in _refused(table)


def test_every_red_flag_of_the_spec_is_asked_by_a_row_and_sits_on_one_screen():
    table = load_coverage()
    assert {row.red_flag for row in table.rows if row.red_flag} == set(RED_FLAGS)
    placed = [flag for screen in table.screens for flag in screen.flags]
    assert sorted(placed) == sorted(RED_FLAGS)


def test_a_red_flag_no_row_asks_is_refused_as_one_no_shopper_would_be_asked():
    table = _bundled()
    table["row"] = [row for row in table["row"] if row.get("red_flag") != "knee_locked"]
    assert "red flag 'knee_locked': no row asks it" in _refused(table)


def test_a_screen_of_more_than_eight_boxes_is_refused():
    table = _bundled()
    table["screen"] = [
        {"title": "Everything", "flags": list(RED_FLAGS[:9])},
        {"title": "The rest", "flags": list(RED_FLAGS[9:])},
    ]
    assert "screen 'Everything': field 'flags'" in _refused(table)


def test_every_row_names_known_pain_areas_or_everyone_and_is_filed_under_a_section():
    for row in load_coverage().rows:
        assert row.areas == ("all",) or set(row.areas) <= set(PAIN_AREAS), row.id


def test_the_table_covers_every_pain_area_and_the_general_picture():
    sections = {row.section for row in load_coverage().rows}
    assert sections >= {*PAIN_AREAS, "age", "pregnancy", "diabetes", "medicines", "falls"}


# --- the questions a shopper is asked ---------------------------------------------------------


def test_a_shopper_who_has_not_said_where_it_hurts_is_asked_every_red_flag_in_spec_order():
    assert red_flags_to_ask(None) == RED_FLAGS
    assert red_flags_to_ask([]) == RED_FLAGS


def test_a_locked_knee_is_asked_about_only_when_the_knee_hurts():
    assert "knee_locked" in red_flags_to_ask(["knee"])
    assert "knee_locked" in red_flags_to_ask(["foot", "knee"])
    assert "knee_locked" not in red_flags_to_ask(["lower_back"])


def test_back_pain_alone_still_asks_every_nerve_and_circulation_flag():
    asked = red_flags_to_ask(["lower_back"])
    for flag in ("bladder_bowel_change", "saddle_numbness", "sciatica_both_legs", "calf_swelling"):
        assert flag in asked


def test_an_unknown_pain_area_is_refused_rather_than_asking_fewer_questions():
    with pytest.raises(AnswersError, match="pain_areas"):
        red_flags_to_ask(["Knee"])


def test_screens_have_a_heading_and_leave_out_screens_with_nothing_to_ask():
    titled = titled_red_flag_screens(["knee"])
    assert all(screen.title and screen.flags for screen in titled)
    assert tuple(screen.flags for screen in titled) == red_flag_screens(["knee"])


@given(st.lists(st.sampled_from(PAIN_AREAS), unique=True))
def test_no_flag_the_table_ties_to_a_chosen_area_can_be_skipped(areas):
    asked = red_flags_to_ask(areas)
    for row in load_coverage().rows:
        if row.red_flag and ("all" in row.areas or set(row.areas) & set(areas) or not areas):
            assert row.red_flag in asked, (row.id, areas)
    screens = red_flag_screens(areas)
    assert all(1 <= len(screen) <= MAX_FLAGS_PER_SCREEN for screen in screens)
    flat = [flag for screen in screens for flag in screen]
    assert sorted(flat) == sorted(asked) and len(set(flat)) == len(flat)
    assert asked == tuple(flag for flag in RED_FLAGS if flag in asked)


def test_every_out_of_scope_row_is_named_on_the_coverage_page_readers_are_sent_to():
    page = (Path(__file__).parents[2] / "docs" / "explanation" / "coverage.md").read_text()
    unnamed = [row.id for row in load_coverage().rows if row.out_of_scope and row.id not in page]
    assert not unnamed, f"add these to docs/explanation/coverage.md: {unnamed}"
