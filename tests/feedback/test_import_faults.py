"""Fault injection for `feedback import`: a process killed at each named step, a full disk, and a
shopper writing while an import is half done. Each time the store holds none of the import or
all of it, never part, and the next import works."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from feedback_csv import feedback_files

from recommender.errors import InputError, StoreError
from recommender.faults import KILL_AT, KILLED_EXIT_CODE
from recommender.feedback import FeedbackStore, export_feedback, import_feedback
from recommender.shopper.answers import parse_answers

REPO = Path(__file__).resolve().parents[2]
KILL_POINTS = [
    "feedback-import:staged",
    "feedback-import:first-sessions-batch",
    "feedback-import:sessions-merged",
    "feedback-import:first-events-batch",
    "feedback-import:before-publish",
]
SHOPPER = parse_answers({"pain_areas": ["knee"]})


def import_in_a_process(url: str, files: tuple[Path, Path], **env: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "recommender_cli.main", "feedback", "import"]
    command += ["--sessions", str(files[0]), "--events", str(files[1])]
    environment = {**os.environ, "PYTHONPATH": str(REPO), "RECOMMENDER_DB": url, **env}
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def exported(store: FeedbackStore, folder: Path) -> dict[str, str]:
    export_feedback(store, folder)
    return {name: (folder / name).read_text() for name in ("sessions.csv", "events.csv")}


def rows_on_disk(store: FeedbackStore) -> int:
    """Every events row, visible or not: a dead import must not leave hidden rows behind."""
    with store.engine.connect() as conn:
        return int(conn.scalar(sa.text("SELECT COUNT(*) FROM events")))


@pytest.fixture
def earlier_and_big(store: FeedbackStore, tmp_path: Path) -> tuple[Path, Path]:
    """A store holding an earlier import, and a bigger import (3,000 events) that overlaps it."""
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    import_feedback(store, *feedback_files(earlier, sessions=2))
    big = tmp_path / "big"
    big.mkdir()
    return feedback_files(big, sessions=30, events_per_session=100)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_import_killed_before_it_is_published_leaves_the_store_as_it_was(
    store: FeedbackStore, store_url: str, tmp_path: Path, earlier_and_big, point: str
) -> None:
    before = exported(store, tmp_path / "before")
    killed = import_in_a_process(store_url, earlier_and_big, **{KILL_AT: point})
    assert killed.wait(timeout=240) == KILLED_EXIT_CODE, killed.communicate()[1]

    assert exported(store, tmp_path / "after") == before
    assert store.counts() == {"sessions": 2, "events": 8}
    # The store is not left locked or half-full: the same import now goes through whole.
    report = import_feedback(store, *earlier_and_big)
    assert (report.sessions_added, report.events_added) == (28, 3_000 - 8)
    assert store.counts() == {"sessions": 30, "events": 3_000}
    assert rows_on_disk(store) == 3_000  # the dead import's hidden rows were cleaned away


def test_an_import_killed_just_after_publishing_holds_all_of_it(
    store: FeedbackStore, store_url: str, earlier_and_big
) -> None:
    killed = import_in_a_process(
        store_url, earlier_and_big, **{KILL_AT: "feedback-import:published"}
    )
    assert killed.wait(timeout=240) == KILLED_EXIT_CODE, killed.communicate()[1]
    assert store.counts() == {"sessions": 30, "events": 3_000}
    report = import_feedback(store, *earlier_and_big)
    assert (report.sessions_added, report.events_added) == (0, 0)


PAUSING_IMPORT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from recommender.feedback import FeedbackStore, import_feedback, publishing

    url, sessions, events, paused, go = sys.argv[1:]

    def pause_after_the_first_events_batch(name):
        if name == "feedback-import:first-events-batch":
            Path(paused).touch()
            while not Path(go).exists():
                time.sleep(0.02)

    publishing.checkpoint = pause_after_the_first_events_batch
    with FeedbackStore.open(url) as store:
        print(import_feedback(store, Path(sessions), Path(events)).summary())
    """
)


def test_a_shopper_is_served_while_an_import_is_half_done_and_sees_none_of_it(
    store: FeedbackStore, store_url: str, tmp_path: Path, earlier_and_big
) -> None:
    paused, go = tmp_path / "paused", tmp_path / "go"
    importer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PAUSING_IMPORT,
            store_url,
            *map(str, earlier_and_big),
            str(paused),
            str(go),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not paused.exists():
        assert importer.poll() is None, importer.communicate()[1]
        assert time.monotonic() < deadline, "the import never reached its first events batch"
        time.sleep(0.05)

    # Half the import is in the tables, yet the shopper's page is saved and no read sees it.
    session = store.start_session(
        SHOPPER, triage_level="none", model_version="rules-only", policy="ranked"
    )
    assert store.counts() == {"sessions": 3, "events": 8}
    assert rows_on_disk(store) > 8
    # A second import meanwhile is refused by name rather than mixed into the first.
    with pytest.raises(InputError, match="another feedback import into this store is still"):
        import_feedback(store, *earlier_and_big)

    go.touch()
    out, err = importer.communicate(timeout=240)
    assert importer.returncode == 0, err
    assert "imported 28 of 30 sessions and 2992 of 3000 events" in out
    assert store.counts() == {"sessions": 31, "events": 3_000}
    assert session in exported(store, tmp_path / "out")["sessions.csv"]


def test_a_full_disk_mid_import_names_the_setting_and_changes_nothing(
    store: FeedbackStore, store_url: str, tmp_path: Path, earlier_and_big
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("a full disk is simulated with SQLite's page limit")
    before = exported(store, tmp_path / "before")
    with store.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar())

    def disk_nearly_full(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 3}")

    sa.event.listen(store.engine, "connect", disk_nearly_full)
    store.engine.dispose()
    with pytest.raises(StoreError, match="RECOMMENDER_DB names is full; nothing was changed"):
        import_feedback(store, *earlier_and_big)
    assert exported(store, tmp_path / "after") == before

    sa.event.remove(store.engine, "connect", disk_nearly_full)
    store.engine.dispose()  # space freed: the same import now goes through
    assert import_feedback(store, *earlier_and_big).events_added == 3_000 - 8
