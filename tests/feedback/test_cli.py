"""`recommender feedback ...` through the real command-line boundary: exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from feedback_csv import event_row, feedback_files, session_row, write_csv

from recommender.cli import main as cli
from recommender.feedback import EVENT_COLUMNS, SESSION_COLUMNS


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, store_url: str, capsys: pytest.CaptureFixture[str]):
    # Only this command group: the test must not depend on the other groups' modules.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("feedback",))
    monkeypatch.setenv("RECOMMENDER_DB", store_url)

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["feedback", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


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
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
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
