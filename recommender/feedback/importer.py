"""`feedback import`: CSV files into the store, all or nothing, and idempotent (SPEC section 6).

    import_feedback(store, sessions_path, events_path) -> ImportReport

1. Under the store's import lock, rows left by an import that died are deleted.
2. Every row is checked and staged in TEMP tables (`staging`): the shared tables are only read,
   so shoppers keep writing. Repeated ids, rows that contradict the store (a session with other
   values, an event with another propensity) and events of unknown sessions are refused by row.
3. The staged rows are merged in short transactions, each row tagged with this import's id,
   skipping rows whose natural key is stored (`session_id`; session, ts, sku, position, event).
4. One quick step publishes the import: until then every read hides its rows (`publishing`).

A failure or a kill before step 4 leaves nothing anyone can see, and the next import removes
it; importing the same files again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from recommender.faults import checkpoint
from recommender.feedback.csvio import Problems
from recommender.feedback.engine import SQLITE_BEGIN_OPTION, with_retry
from recommender.feedback.publishing import (
    begin_import,
    clean_up_unpublished,
    discard,
    import_lock,
    merge,
    publish,
)
from recommender.feedback.staging import check_staged, drop_stage, stage, staged_session_count
from recommender.feedback.store import FeedbackStore


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import read and stored, and what was already there."""

    sessions_read: int
    sessions_added: int
    events_read: int
    events_added: int

    def summary(self) -> str:
        """One line for the command line."""
        return (
            f"imported {self.sessions_added} of {self.sessions_read} sessions and "
            f"{self.events_added} of {self.events_read} events (the rest were already stored)"
        )


def import_feedback(store: FeedbackStore, sessions_path: Path, events_path: Path) -> ImportReport:
    """Import both files or nothing; raise `FeedbackImportError` naming every bad row."""
    problems = Problems()
    with import_lock(store.engine), store.engine.connect() as conn:
        clean_up_unpublished(conn)
        # DEFERRED: staging fills TEMP tables and only reads the shared ones.
        conn.execution_options(**{SQLITE_BEGIN_OPTION: "DEFERRED"})
        import_id = None
        try:
            events_read = with_retry(
                lambda: stage(conn, sessions_path, events_path, problems),
                "stage the import",
                retries=1,  # staging reads the files once; a retry would double its problems
            )
            problems.raise_if_any()
            with_retry(
                lambda: check_staged(conn, sessions_path, events_path, problems),
                "check the import against the store",
            )
            problems.raise_if_any()
            sessions_read = with_retry(lambda: staged_session_count(conn), "count the import")
            checkpoint("feedback-import:staged")
            import_id = begin_import(conn)
            merged = merge(conn, import_id)
            publish(conn, import_id)
            import_id = None
        finally:
            if import_id is not None:
                discard(conn, import_id)  # if this fails too, the next import cleans up
            drop_stage(conn)
    return ImportReport(sessions_read, merged.sessions_added, events_read, merged.events_added)
