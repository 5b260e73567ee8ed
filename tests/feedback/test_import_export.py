"""CSV exchange: exact columns, idempotent and all-or-nothing imports, bad rows named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from feedback_csv import event_row, feedback_files, session_row, write_csv

from recommender.errors import InputError, RecommenderError
from recommender.feedback import (
    EVENT_COLUMNS,
    SESSION_COLUMNS,
    SESSION_FILE_COLUMNS,
    FeedbackImportError,
    FeedbackStore,
    export_feedback,
    import_feedback,
    read_sessions,
)
from recommender.feedback import export as export_module


def test_export_writes_the_exact_columns_and_round_trips(
    store: FeedbackStore, tmp_path: Path
) -> None:
    sessions, events = feedback_files(tmp_path)
    import_feedback(store, sessions, events)
    first = export_feedback(store, tmp_path / "first")
    assert (first.sessions, first.events) == (3, 12)
    lines = (tmp_path / "first" / "events.csv").read_text().splitlines()
    assert lines[0] == ",".join(EVENT_COLUMNS)
    assert lines[1] == "s0,2025-03-01T10:00:01.000000Z,KN-101,1,impression,1.0"
    header = (tmp_path / "first" / "sessions.csv").read_text().splitlines()[0]
    # SPEC section 5's columns, and revision 3's client.
    assert header == ",".join(SESSION_FILE_COLUMNS)

    # Export, import into an empty store, export again: the very same files.
    empty_url = f"sqlite:///{tmp_path / 'copy.db'}"
    with FeedbackStore.open(empty_url) as copy:
        import_feedback(copy, tmp_path / "first/sessions.csv", tmp_path / "first/events.csv")
        export_feedback(copy, tmp_path / "second")
    for name in ("sessions.csv", "events.csv"):
        assert (tmp_path / "first" / name).read_text() == (tmp_path / "second" / name).read_text()


def test_importing_the_same_files_twice_adds_nothing(store: FeedbackStore, tmp_path: Path) -> None:
    sessions, events = feedback_files(tmp_path)
    first = import_feedback(store, sessions, events)
    assert (first.sessions_added, first.events_added) == (3, 12)
    second = import_feedback(store, sessions, events)
    assert (second.sessions_added, second.events_added) == (0, 0)
    assert store.counts() == {"sessions": 3, "events": 12}


def test_overlapping_import_adds_only_the_new_rows(store: FeedbackStore, tmp_path: Path) -> None:
    import_feedback(store, *feedback_files(tmp_path, sessions=2))
    report = import_feedback(store, *feedback_files(tmp_path, sessions=3))
    assert (report.sessions_added, report.events_added) == (1, 4)


def test_bad_rows_are_named_and_nothing_is_imported(store: FeedbackStore, tmp_path: Path) -> None:
    sessions = write_csv(
        tmp_path / "sessions.csv",
        SESSION_COLUMNS,
        [session_row("s0"), session_row("s1", policy="shuffled")],
    )
    events = write_csv(
        tmp_path / "events.csv",
        EVENT_COLUMNS,
        [
            event_row("s0", 1),
            event_row("s0", 0),
            event_row("s0", 2, propensity="1.5"),
            event_row("s0", 3, ts="2025-03-01 10:00:00"),
            event_row("s0", 4, event="viewed"),
            event_row("s0", 99_999_999_999_999_999_999),
            event_row("s0", 5, ts="0001-01-01T00:00:00+01:00"),
            event_row("s0\x00", 6),
        ],
    )
    with pytest.raises(FeedbackImportError) as caught:
        import_feedback(store, sessions, events)
    message = str(caught.value)
    assert "\n" not in message
    assert "nothing imported, 8 problems" in message
    assert "sessions.csv row 3, column 'policy'" in message
    assert "events.csv row 3, column 'position'" in message
    assert "events.csv row 4, column 'propensity'" in message
    assert "events.csv row 5, column 'ts'" in message
    assert "events.csv row 6, column 'event'" in message
    # Extremes are named like any other bad value, not a crash.
    assert "events.csv row 7, column 'position'" in message
    assert "events.csv row 8, column 'ts'" in message and "out of range" in message
    assert "events.csv row 9, column 'session_id'" in message and "control character" in message
    assert store.counts() == {"sessions": 0, "events": 0}


def test_event_of_an_unknown_session_is_named(store: FeedbackStore, tmp_path: Path) -> None:
    sessions = write_csv(tmp_path / "sessions.csv", SESSION_COLUMNS, [session_row("s0")])
    events = write_csv(
        tmp_path / "events.csv", EVENT_COLUMNS, [event_row("s0", 1), event_row("ghost", 1)]
    )
    with pytest.raises(
        FeedbackImportError, match=r"events.csv row 3, column 'session_id': 'ghost'"
    ):
        import_feedback(store, sessions, events)
    assert store.counts() == {"sessions": 0, "events": 0}


def test_events_may_refer_to_sessions_already_stored(store: FeedbackStore, tmp_path: Path) -> None:
    import_feedback(store, *feedback_files(tmp_path, sessions=1, events_per_session=1))
    later = tmp_path / "later"
    later.mkdir()
    sessions = write_csv(later / "sessions.csv", SESSION_COLUMNS, [])
    events = write_csv(later / "events.csv", EVENT_COLUMNS, [event_row("s0", 2, event="click")])
    assert import_feedback(store, sessions, events).events_added == 1


def test_same_session_twice_with_other_values_is_refused(
    store: FeedbackStore, tmp_path: Path
) -> None:
    sessions = write_csv(
        tmp_path / "sessions.csv",
        SESSION_COLUMNS,
        [session_row("s0"), session_row("s0", triage_level="see_clinician")],
    )
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [])
    with pytest.raises(FeedbackImportError, match=r"row 3, column 'session_id'.*also on row 2"):
        import_feedback(store, sessions, events)


def test_a_session_already_stored_with_other_values_is_named_and_nothing_is_imported(
    store: FeedbackStore, tmp_path: Path
) -> None:
    import_feedback(store, *feedback_files(tmp_path, sessions=1, events_per_session=1))
    later = tmp_path / "later"
    later.mkdir()
    sessions = write_csv(
        later / "sessions.csv",
        SESSION_COLUMNS,
        [session_row("s9"), session_row("s0", policy="explore")],
    )
    events = write_csv(later / "events.csv", EVENT_COLUMNS, [event_row("s9")])
    with pytest.raises(FeedbackImportError, match=r"row 3, column 'session_id'.*already stored"):
        import_feedback(store, sessions, events)
    assert list(read_sessions(store)["session_id"]) == ["s0"]


def test_imported_height_and_weight_are_stored_only_as_a_band(
    store: FeedbackStore, tmp_path: Path
) -> None:
    raw = json.dumps({"pain_areas": ["hip"], "height_cm": 170, "weight_kg": 95})
    sessions = write_csv(tmp_path / "s.csv", SESSION_COLUMNS, [session_row("s0", answers=raw)])
    events = write_csv(tmp_path / "e.csv", EVENT_COLUMNS, [])
    import_feedback(store, sessions, events)
    export_feedback(store, tmp_path / "out")
    exported = (tmp_path / "out" / "sessions.csv").read_text()
    assert "height" not in exported and "weight_kg" not in exported and "170" not in exported
    assert read_sessions(store).loc[0, "answers"].body_mass_band == "high"


def test_unknown_answers_field_is_named(store: FeedbackStore, tmp_path: Path) -> None:
    raw = json.dumps({"pain_areas": ["hip"], "email": "someone@example.com"})
    sessions = write_csv(tmp_path / "s.csv", SESSION_COLUMNS, [session_row("s0", answers=raw)])
    events = write_csv(tmp_path / "e.csv", EVENT_COLUMNS, [])
    with pytest.raises(FeedbackImportError, match=r"row 2, column 'answers'.*'email'"):
        import_feedback(store, sessions, events)


def test_missing_column_and_missing_file_are_input_errors(
    store: FeedbackStore, tmp_path: Path
) -> None:
    sessions, _ = feedback_files(tmp_path)
    events = write_csv(tmp_path / "bad.csv", EVENT_COLUMNS[:-1], [])
    with pytest.raises(InputError, match="row 1: missing column 'propensity'"):
        import_feedback(store, sessions, events)
    with pytest.raises(InputError, match="no such file"):
        import_feedback(store, sessions, tmp_path / "absent.csv")
    assert store.counts() == {"sessions": 0, "events": 0}


def test_an_e_mail_address_used_as_an_id_is_refused(store: FeedbackStore, tmp_path: Path) -> None:
    email = "jane.doe@example.com"
    sessions = write_csv(
        tmp_path / "sessions.csv", SESSION_COLUMNS, [session_row("s0"), session_row(email)]
    )
    events = write_csv(tmp_path / "events.csv", EVENT_COLUMNS, [event_row(email, 1)])
    with pytest.raises(FeedbackImportError) as caught:
        import_feedback(store, sessions, events)
    assert "sessions.csv row 3, column 'session_id': looks like an e-mail address" in str(
        caught.value
    )
    assert "events.csv row 2, column 'session_id'" in str(caught.value)
    assert store.counts() == {"sessions": 0, "events": 0}


def test_broken_csv_quoting_is_named_and_nothing_is_imported(
    store: FeedbackStore, tmp_path: Path
) -> None:
    sessions, _ = feedback_files(tmp_path)
    events = tmp_path / "events.csv"
    # A quote that never closes swallows the rest of the file into one huge field.
    runaway = 's0,2025-03-01T10:00:01Z,"KN-1' + "x" * 200_000 + "\n"
    events.write_text(
        ",".join(EVENT_COLUMNS) + "\ns0,2025-03-01T10:00:01Z,KN-1,1,click,\n" + runaway
    )
    with pytest.raises(FeedbackImportError, match=r"events.csv line \d+: not readable as CSV"):
        import_feedback(store, sessions, events)
    assert store.counts() == {"sessions": 0, "events": 0}


def test_an_export_that_fails_halfway_leaves_the_earlier_pair_untouched(
    store: FeedbackStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_feedback(store, *feedback_files(tmp_path, sessions=1))
    out = tmp_path / "out"
    export_feedback(store, out)
    before = {name: (out / name).read_text() for name in ("sessions.csv", "events.csv")}
    later = tmp_path / "later"
    later.mkdir()
    import_feedback(store, *feedback_files(later, sessions=3))

    def disk_full(_store, _conn):
        yield ["s0", "2025-03-01T10:00:01.000000Z", "KN-101", 1, "impression", "1.0"]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "_event_rows", disk_full)
    with pytest.raises(RecommenderError, match="the disk is full; files already there are"):
        export_feedback(store, out)
    assert {name: (out / name).read_text() for name in before} == before
    assert sorted(p.name for p in out.iterdir()) == ["events.csv", "sessions.csv"]
