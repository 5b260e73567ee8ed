"""Hostile exchange files, in the shape of the reviewer's reproductions (issue 14): formulas for
the next spreadsheet user, a line of tens of megabytes, /dev/zero, events that differ only in
propensity, and a store the importing user may not write."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from feedback_csv import event_row, feedback_files, session_row, write_csv

from recommender.feedback import (
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    FeedbackImportError,
    FeedbackStore,
    csvio,
    export_feedback,
    import_feedback,
    read_events,
)
from recommender_cli import main as cli

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "=1+1", "@SUM(A1)"]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], store_url: str):
    """`recommender feedback ARGS...` against the test's store."""
    monkeypatch.setenv("RECOMMENDER_DB", store_url)

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["feedback", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def refused(code: int, out: str, err: str) -> str:
    """The one-line message of a refused command (exit 2, no traceback)."""
    assert (code, out) == (2, ""), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_in_an_id_or_name_cell_is_refused_by_file_row_and_column(
    run, tmp_path: Path, formula: str
) -> None:
    sessions = write_csv(
        tmp_path / "sessions.csv",
        SESSION_COLUMNS,
        [session_row("s0"), session_row("s1", model_version=formula)],
    )
    events = write_csv(
        tmp_path / "events.csv",
        EVENT_COLUMNS,
        [event_row("s0", 1), event_row("s0", 2, sku=formula)],
    )
    err = refused(*run("import", "--sessions", str(sessions), "--events", str(events)))
    assert "sessions.csv row 3, column 'model_version'" in err
    assert "events.csv row 3, column 'sku'" in err
    assert "formula" in err
    assert run("export", "--out", str(tmp_path / "out"))[1].startswith("exported 0 sessions")


def test_a_formula_as_a_session_id_is_refused(store: FeedbackStore, tmp_path: Path) -> None:
    sessions = write_csv(tmp_path / "s.csv", SESSION_COLUMNS, [session_row("-2+3")])
    events = write_csv(tmp_path / "e.csv", EVENT_COLUMNS, [])
    with pytest.raises(FeedbackImportError, match=r"s.csv row 2, column 'session_id'.*formula"):
        import_feedback(store, sessions, events)


def test_negative_numbers_are_judged_as_numbers_not_as_formulas(
    store: FeedbackStore, tmp_path: Path
) -> None:
    sessions = write_csv(tmp_path / "s.csv", SESSION_COLUMNS, [session_row("s0")])
    events = write_csv(
        tmp_path / "e.csv",
        EVENT_COLUMNS,
        [event_row("s0", 1, propensity="-1"), event_row("s0", -1)],
    )
    with pytest.raises(FeedbackImportError) as refusal:
        import_feedback(store, sessions, events)
    assert "column 'propensity': -1.0 is outside (0, 1]" in str(refusal.value)
    assert "column 'position': -1 is not a whole number from 1" in str(refusal.value)
    assert "formula" not in str(refusal.value)


def test_export_neutralises_formula_like_cells_stored_before_the_rule(
    store: FeedbackStore, tmp_path: Path
) -> None:
    import_feedback(store, *feedback_files(tmp_path, sessions=1, events_per_session=1))
    with store.engine.begin() as conn:  # as an older release, or another tool, stored them
        conn.execute(sa.text("UPDATE events SET sku = '=HYPERLINK(\"http://x\")'"))
        conn.execute(sa.text("UPDATE sessions SET model_version = '@SUM(A1)'"))
    export_feedback(store, tmp_path / "out")
    events = cells(tmp_path / "out" / "events.csv")
    sessions = cells(tmp_path / "out" / "sessions.csv")
    assert events[0]["sku"] == '\'=HYPERLINK("http://x")'
    assert sessions[0]["model_version"] == "'@SUM(A1)"
    # Numbers, times and the answers JSON are left exactly as they were.
    assert (events[0]["position"], events[0]["propensity"]) == ("1", "1.0")
    assert sessions[0]["answers"].startswith("{") and sessions[0]["session_id"] == "s0"


def cells(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def big_line_file(path: Path, columns: tuple[str, ...], megabytes: int) -> Path:
    """A header, then one line of `megabytes` MB without a newline, written in pieces."""
    piece = "a" * (1 << 20)
    with path.open("w") as handle:
        handle.write(",".join(columns) + "\n")
        for _ in range(megabytes):
            handle.write(piece)
    return path


def test_a_50_mb_line_is_refused_naming_the_file_and_line(run, tmp_path: Path) -> None:
    sessions, _ = feedback_files(tmp_path)
    events = big_line_file(tmp_path / "events.csv", EVENT_COLUMNS, 50)
    err = refused(*run("import", "--sessions", str(sessions), "--events", str(events)))
    assert "events.csv line 2: longer than 262,144 characters" in err
    assert run("export", "--out", str(tmp_path / "out"))[1].startswith("exported 0 sessions")


def test_a_huge_line_in_sessions_is_refused_too(run, tmp_path: Path) -> None:
    _, events = feedback_files(tmp_path)
    sessions = big_line_file(tmp_path / "sessions.csv", SESSION_COLUMNS, 2)
    err = refused(*run("import", "--sessions", str(sessions), "--events", str(events)))
    assert "sessions.csv line 2: longer than" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_input_is_refused_at_once(run, tmp_path: Path) -> None:
    sessions, _ = feedback_files(tmp_path)
    err = refused(*run("import", "--sessions", str(sessions), "--events", "/dev/zero"))
    assert "/dev/zero: not a regular file" in err


def test_a_file_over_the_size_cap_is_refused_by_name(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions, events = feedback_files(tmp_path, sessions=3, events_per_session=40)
    monkeypatch.setattr(csvio, "MAX_FILE_BYTES", 1_000)
    err = refused(*run("import", "--sessions", str(sessions), "--events", str(events)))
    assert f"{events}: " in err and "bytes is more than the 1,000 one import accepts" in err


def test_the_same_event_twice_with_another_propensity_is_a_named_conflict(
    store: FeedbackStore, tmp_path: Path
) -> None:
    sessions = write_csv(tmp_path / "s.csv", SESSION_COLUMNS, [session_row("s0")])
    events = write_csv(
        tmp_path / "e.csv",
        EVENT_COLUMNS,
        [
            event_row("s0", 1, propensity="0.5"),
            event_row("s0", 1, propensity="0.5"),  # an exact repeat is harmless
            event_row("s0", 1, propensity="0.25"),
            event_row("s0", 2, propensity=""),
            event_row("s0", 2, propensity="0.25"),
        ],
    )
    with pytest.raises(FeedbackImportError) as refusal:
        import_feedback(store, sessions, events)
    message = str(refusal.value)
    assert "2 problems" in message
    assert "e.csv row 4, column 'propensity': the same event is on row 2 with another" in message
    assert "e.csv row 6, column 'propensity': the same event is on row 5 with another" in message
    assert store.counts() == {"sessions": 0, "events": 0}


def test_an_event_stored_with_another_propensity_is_not_silently_kept_or_dropped(
    store: FeedbackStore, tmp_path: Path
) -> None:
    sessions = write_csv(tmp_path / "s.csv", SESSION_COLUMNS, [session_row("s0")])
    first = write_csv(tmp_path / "e1.csv", EVENT_COLUMNS, [event_row("s0", 1, propensity="0.5")])
    import_feedback(store, sessions, first)
    changed = write_csv(
        tmp_path / "e2.csv",
        EVENT_COLUMNS,
        [event_row("s0", 2, propensity="0.1"), event_row("s0", 1, propensity="0.75")],
    )
    with pytest.raises(
        FeedbackImportError,
        match=r"e2.csv row 3, column 'propensity': the same "
        r"event is already stored with propensity 0.5",
    ):
        import_feedback(store, sessions, changed)
    assert read_events(store)["propensity"].tolist() == [0.5]
    # The very same file again is still a harmless repeat.
    assert import_feedback(store, sessions, first).events_added == 0


def read_only_url(path: Path) -> str:
    # SQLite's own read-only mode: it refuses every write even for root, like a store the
    # importing user may only read.
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def test_a_read_only_store_exports_and_a_write_names_the_setting(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("SQLite's read-only mode")
    sessions, events = feedback_files(tmp_path)
    assert run("import", "--sessions", str(sessions), "--events", str(events))[0] == 0
    monkeypatch.setenv("RECOMMENDER_DB", read_only_url(tmp_path / "feedback.db"))

    code, out, err = run("export", "--out", str(tmp_path / "out"))
    assert (code, err) == (0, "") and "exported 3 sessions and 12 events" in out
    more = tmp_path / "more"
    more.mkdir()
    err = refused(*run("import", *_files(feedback_files(more, sessions=5))))
    assert "RECOMMENDER_DB" in err and "read-only" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_a_store_in_a_read_only_folder_still_exports(run, tmp_path: Path, store_url: str) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("file permissions of an SQLite store")
    sessions, events = feedback_files(tmp_path)
    run("import", "--sessions", str(sessions), "--events", str(events))
    (tmp_path / "feedback.db").chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        code, out, err = run("export", "--out", str(tmp_path.parent / "exported"))
    finally:
        tmp_path.chmod(0o755)
    assert (code, err) == (0, "") and "exported 3 sessions and 12 events" in out


def _files(pair: tuple[Path, Path]) -> list[str]:
    return ["--sessions", str(pair[0]), "--events", str(pair[1])]


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        (
            '{"schema_version":1,"sitting_hours":' + "9" * 5_000 + "}",
            "not valid JSON (a number 5,000 digits long is too long)",
        ),
        ("[" * 5_000 + "]" * 5_000, "not valid JSON (nested too deeply)"),
        ('{"a":' * 5_000 + "1" + "}" * 5_000, "not valid JSON (nested too deeply)"),
    ],
    ids=["5,000 digits", "5,000 deep list", "5,000 deep object"],
)
def test_answers_with_a_huge_number_or_deep_nesting_are_a_named_bad_row(
    run, tmp_path: Path, answers: str, problem: str
) -> None:
    sessions = write_csv(
        tmp_path / "sessions.csv",
        SESSION_COLUMNS,
        [session_row("s0"), session_row("s1", answers=answers)],
    )
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [event_row("s0")])
    err = refused(*run("import", "--sessions", str(sessions), "--events", str(events)))
    assert f"sessions.csv row 3, column 'answers': {problem}" in err


def test_export_of_a_file_that_is_no_database_names_the_setting(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_text("this is not a database, just some text in a file\n")
    monkeypatch.setenv("RECOMMENDER_DB", f"sqlite:///{garbage}")
    err = refused(*run("export", "--out", str(tmp_path / "out")))
    assert "RECOMMENDER_DB" in err and "not a database" in err
