"""`recommender feedback ...` through the real command-line boundary: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedback_csv import event_row, feedback_files, session_row, write_csv

from recommender.feedback import EVENT_COLUMNS, SESSION_COLUMNS
from recommender_cli import main as cli


@pytest.fixture
def cli_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """`recommender feedback ARGS...` with whatever RECOMMENDER_DB the test sets."""

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["feedback", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def run(cli_run, monkeypatch: pytest.MonkeyPatch, store_url: str):
    monkeypatch.setenv("RECOMMENDER_DB", store_url)
    return cli_run


def assert_one_line_exit_two(code: int, out: str, err: str) -> None:
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_import_then_export_exit_zero_with_a_summary(run, tmp_path: Path) -> None:
    sessions, events = feedback_files(tmp_path)
    code, out, err = run("import", "--sessions", str(sessions), "--events", str(events))
    assert (code, err) == (0, "")
    assert (
        out.strip() == "imported 3 of 3 sessions and 12 of 12 events (the rest were already stored)"
    )
    code, out, _ = run("import", "--sessions", str(sessions), "--events", str(events))
    assert code == 0 and "imported 0 of 3 sessions and 0 of 12 events" in out
    code, out, _ = run("export", "--out", str(tmp_path / "out"))
    assert code == 0 and "exported 3 sessions and 12 events" in out
    assert len((tmp_path / "out" / "events.csv").read_text().splitlines()) == 13


def test_bad_rows_exit_two_with_one_line_and_no_traceback(run, tmp_path: Path) -> None:
    sessions = write_csv(tmp_path / "sessions.csv", SESSION_COLUMNS, [session_row("s0")])
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [event_row("s0", -1)])
    code, out, err = run("import", "--sessions", str(sessions), "--events", str(events))
    assert_one_line_exit_two(code, out, err)
    assert "events.csv row 2, column 'position'" in err
    code, out, _ = run("export", "--out", str(tmp_path / "out"))
    assert "exported 0 sessions and 0 events" in out


def test_missing_file_exits_two(run, tmp_path: Path) -> None:
    code, _, err = run("import", "--sessions", str(tmp_path / "no.csv"), "--events", "x.csv")
    assert code == 2 and "no such file" in err and "Traceback" not in err


def test_purge_uses_the_retention_setting_or_the_given_age(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = write_csv(
        tmp_path / "sessions.csv",
        SESSION_COLUMNS,
        [session_row("old", "2001-01-01T00:00:00Z"), session_row("new", "2099-01-01T00:00:00Z")],
    )
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [event_row("old", 1)])
    run("import", "--sessions", str(sessions), "--events", str(events))
    monkeypatch.setenv("RECOMMENDER_RETENTION_DAYS", "365")
    code, out, _ = run("purge")
    assert code == 0 and out.startswith("deleted 1 sessions and 1 events")
    code, _, err = run("purge", "--older-than", "0")
    assert code == 2 and "--older-than" in err


def test_a_csv_with_the_wrong_header_is_named_and_nothing_is_imported(run, tmp_path: Path) -> None:
    sessions, _ = feedback_files(tmp_path)
    events = tmp_path / "clicks.csv"
    events.write_text("session,sku,when\ns0,KN-101,2025-03-01T10:00:01Z\n")
    code, out, err = run("import", "--sessions", str(sessions), "--events", str(events))
    assert_one_line_exit_two(code, out, err)
    assert "clicks.csv row 1: missing column 'session_id'" in err
    assert "unknown column 'when'" in err
    _, out, _ = run("export", "--out", str(tmp_path / "out"))
    assert "exported 0 sessions and 0 events" in out


def test_export_into_a_file_instead_of_a_folder_exits_two(run, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "report.txt"
    not_a_folder.write_text("keep me")
    code, out, err = run("export", "--out", str(not_a_folder))
    assert_one_line_exit_two(code, out, err)
    assert "report.txt: is a file, not a folder" in err
    assert not_a_folder.read_text() == "keep me"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "is not a database URL"),
        ("foo://host/db", "unknown kind of database 'foo'"),
        ("mysql://shop@localhost/feedback", "needs the database driver"),
        # Port 1 on loopback: nothing listens there, so the connection is refused at once.
        ("postgresql+psycopg://shop:secret@127.0.0.1:1/none?connect_timeout=2", "could not open"),
    ],
)
def test_a_wrong_database_url_exits_two_naming_the_setting(
    cli_run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, says: str
) -> None:
    monkeypatch.setenv("RECOMMENDER_DB", url)
    code, out, err = cli_run("export", "--out", str(tmp_path / "out"))
    assert_one_line_exit_two(code, out, err)
    assert err.startswith("recommender: RECOMMENDER_DB: ") and says in err
    assert "secret" not in err  # a password in the URL is never echoed


def test_a_store_file_that_is_no_database_exits_two_and_is_left_alone(
    cli_run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list\n" * 200)
    monkeypatch.setenv("RECOMMENDER_DB", f"sqlite:///{notes}")
    code, out, err = cli_run("purge", "--older-than", "30")
    assert_one_line_exit_two(code, out, err)
    assert "RECOMMENDER_DB: could not open the feedback store" in err and "notes.db" in err
    assert notes.read_text() == "shopping list\n" * 200
