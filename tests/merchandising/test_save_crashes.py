"""A merchandiser's save is one unit: a crash or a full disk at any step leaves the live files
matching a recorded version, `weights history` knowing it, and the next save working."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from recommender.faults import FULL_DISK_AT, KILL_AT, KILLED_EXIT_CODE
from recommender.merchandising.history import AUDIT_FILE, HISTORY_DIR, PENDING_FILE, history
from recommender.merchandising.proposals import CatalogState, current_state, propose
from recommender.merchandising.weights_store import save_proposal, version_state
from recommender_cli.main import main

REPO = Path(__file__).resolve().parents[2]
KILL_POINTS = (
    "weights.after_snapshot",
    "weights.after_journal",
    "weights.audit_append",
    "weights.after_history",
    "weights.between_files",
    "weights.after_live",
    "weights.done",
)
# A save that changes both files: a boost in weights.toml and a stock flag in products.csv.
SAVE_SCRIPT = """
import sys, tomllib
from recommender.merchandising.proposals import current_state, propose
from recommender.merchandising.weights_store import save_proposal
directory = sys.argv[1]
opened = current_state(directory)
data = tomllib.loads(opened.weights_text)
data.setdefault("boosts", {})["KS-101"] = 0.5
proposal = propose(opened, data, {"KS-101": False})
save_proposal(directory, proposal, base_token=opened.token, who="ana")
"""


def save_in_a_process(catalog_dir: Path, **fault: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), **fault}
    return subprocess.run(
        [sys.executable, "-c", SAVE_SCRIPT, str(catalog_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def recorded_states(catalog_dir: Path) -> list[CatalogState]:
    return [version_state(catalog_dir, entry.version) for entry in history(catalog_dir)]


def another_save(catalog_dir: Path, boost: float = -0.25):
    opened = current_state(catalog_dir)
    data = tomllib.loads(opened.weights_text)
    data.setdefault("boosts", {})["KH-201"] = boost
    return save_proposal(catalog_dir, propose(opened, data, {}), base_token=opened.token, who="ben")


@pytest.mark.parametrize("point", KILL_POINTS)
@pytest.mark.parametrize("earlier_saves", [0, 1], ids=["first save", "later save"])
def test_a_save_killed_at_any_step_leaves_a_recorded_version_live(
    catalog_dir, point, earlier_saves, capsys
):
    if earlier_saves:
        another_save(catalog_dir, boost=0.75)
    before = current_state(catalog_dir)
    killed = save_in_a_process(catalog_dir, **{KILL_AT: point})
    assert killed.returncode == KILLED_EXIT_CODE, killed.stderr

    live = current_state(catalog_dir)  # the next start: finishes or undoes the save
    assert live in recorded_states(catalog_dir) or (live == before and not history(catalog_dir))
    assert not (catalog_dir / HISTORY_DIR / PENDING_FILE).exists()
    assert main(["weights", "history"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]
    live_versions = [
        e.version for e in history(catalog_dir) if version_state(catalog_dir, e.version) == live
    ]
    assert not history(catalog_dir) or str(live_versions[-1]) in listed
    assert [int(word) for word in listed if word.isdigit()] == [
        e.version for e in history(catalog_dir)
    ]

    saved = another_save(catalog_dir)
    assert current_state(catalog_dir) == version_state(catalog_dir, saved.version)
    assert [e.version for e in history(catalog_dir)][-1] == saved.version


def test_a_save_killed_once_recorded_is_finished_on_the_next_start(catalog_dir):
    another_save(catalog_dir)  # the history has begun: the killed save is an ordinary one
    before = current_state(catalog_dir)
    save_in_a_process(catalog_dir, **{KILL_AT: "weights.between_files"})
    live = current_state(catalog_dir)
    assert live != before
    assert live == version_state(catalog_dir, history(catalog_dir)[-1].version)
    assert "KS-101 = 0.5" in live.weights_text


def test_weights_history_after_a_crash_lists_the_versions_as_the_files_now_are(catalog_dir, capsys):
    another_save(catalog_dir)
    save_in_a_process(catalog_dir, **{KILL_AT: "weights.after_history"})
    assert main(["weights", "history"]) == 0  # the first command after the crash
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["1", "2", "3"]
    live = (catalog_dir / "weights.toml").read_text(encoding="utf-8")
    assert live == version_state(catalog_dir, 3).weights_text
    assert not (catalog_dir / HISTORY_DIR / PENDING_FILE).exists()


def test_a_save_killed_before_it_is_recorded_leaves_the_old_files(catalog_dir):
    another_save(catalog_dir)
    before = current_state(catalog_dir)
    save_in_a_process(catalog_dir, **{KILL_AT: "weights.audit_append"})
    assert current_state(catalog_dir) == before
    assert [e.action for e in history(catalog_dir)] == ["baseline", "save"]


@pytest.mark.parametrize("point", ["weights.audit_append", "weights.between_files"])
def test_a_full_disk_during_a_save_changes_nothing_and_names_the_setting(catalog_dir, point):
    another_save(catalog_dir)
    before = current_state(catalog_dir)
    failed = save_in_a_process(catalog_dir, **{FULL_DISK_AT: point})
    assert failed.returncode != 0
    assert "RECOMMENDER_CATALOG" in failed.stderr and "No space left" in failed.stderr
    assert current_state(catalog_dir) == before
    audit = (catalog_dir / HISTORY_DIR / AUDIT_FILE).read_bytes()
    assert audit.endswith(b"\n")
    assert all(json.loads(line) for line in audit.splitlines())
    assert another_save(catalog_dir, boost=0.1).version == history(catalog_dir)[-1].version


def test_a_torn_audit_line_is_cut_off_and_never_swallows_the_next_save(catalog_dir):
    first = another_save(catalog_dir, boost=-0.5)
    with (catalog_dir / HISTORY_DIR / AUDIT_FILE).open("a") as log:
        log.write('{"version": 99, "at": "2026-')  # a power cut mid-append
    second = another_save(catalog_dir, boost=0.25)
    assert [e.version for e in history(catalog_dir)] == [1, first.version, second.version]
    assert current_state(catalog_dir) == version_state(catalog_dir, second.version)
