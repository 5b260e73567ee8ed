"""Small exchange files for the feedback tests."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from recommender.feedback import EVENT_COLUMNS, SESSION_COLUMNS


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def session_row(session_id: str, created_at: str = "2025-03-01T10:00:00Z", **changes: str) -> list:
    row = {
        "session_id": session_id,
        "created_at": created_at,
        "answers": '{"schema_version":1,"pain_areas":["knee"]}',
        "triage_level": "none",
        "model_version": "rules-only",
        "policy": "ranked",
    }
    row.update(changes)
    return [row[c] for c in SESSION_COLUMNS]


def event_row(session_id: str, position: int = 1, **changes: object) -> list:
    row: dict[str, object] = {
        "session_id": session_id,
        "ts": "2025-03-01T10:00:01Z",
        "sku": f"KN-{100 + position}",
        "position": position,
        "event": "impression",
        "propensity": "1.0",
    }
    row.update(changes)
    return [row[c] for c in EVENT_COLUMNS]


def feedback_files(
    folder: Path, sessions: int = 3, events_per_session: int = 4
) -> tuple[Path, Path]:
    """A small valid pair of exchange files."""
    ids = [f"s{n}" for n in range(sessions)]
    session_rows = [session_row(sid) for sid in ids]
    event_rows = [event_row(sid, p) for sid in ids for p in range(1, events_per_session + 1)]
    return (
        write_csv(folder / "sessions.csv", SESSION_COLUMNS, session_rows),
        write_csv(folder / "events.csv", EVENT_COLUMNS, event_rows),
    )
