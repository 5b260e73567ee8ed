"""Shown results into the store: the rows of one, and a writer that commits many at once.

`FeedbackStore.record_shown` writes one shown result in its own transaction. A server answering
many shoppers at once would then pay a transaction (and, on SQLite, a turn at the write lock)
per shopper. `ShownWriter` is a group commit: callers in any thread hand it their rows and wait,
and one writer thread stores everything waiting in one transaction, so each caller still returns
only once its session is durable, and a busy server writes fewer, larger transactions.

The writer holds the database's write lock, which every worker shares, so it does as little as
it can while holding it: the callers turn their results into rows, and a group goes in with
plain inserts. A new session cannot clash with its own impressions; only a caller's own session
id can already be taken, and then the group is written again one checked session at a time, so
that only that caller is refused, by name.

    writer = ShownWriter(store)
    session_id = writer.record_shown(answers, presentation, experiment=arm)   # blocks until stored
    writer.close()
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from recommender.errors import StoreError
from recommender.feedback import columns as col
from recommender.feedback.picks import TeamPicks
from recommender.feedback.rows import (
    SessionTaken,
    ShownRows,
    shown_rows,
    write_shown,
    write_shown_group,
)
from recommender.shopper.answers import Answers

if TYPE_CHECKING:
    from recommender.feedback.policy import Presentation
    from recommender.feedback.store import FeedbackStore

# Sessions per transaction at most: a burst is written in a few quick steps, not one long one.
MAX_BATCH = 64
# A caller gives up (the API answers 503) if its session is not stored within this long.
MAX_WAIT_SECONDS = 30
logger = logging.getLogger(__name__)


class StoreTooSlow(StoreError):
    """The store did not take a shown result within the caller's deadline; it was not kept."""


class ShownWriter:
    """A group commit of shown results for one process: thread-safe, one writer thread.

    `wait_seconds` bounds how long a caller waits for its session: past it the caller gets
    `StoreTooSlow`, and a session the writer has not yet started on is dropped, so a hung store
    delays no shopper by more than that. `busy_since` (time.monotonic) is when the write in
    progress began, None while idle: a store that hangs shows there.
    """

    def __init__(self, store: FeedbackStore, wait_seconds: float = MAX_WAIT_SECONDS) -> None:
        self.store = store
        self.wait_seconds = wait_seconds
        self.busy_since: float | None = None
        self._waiting: queue.SimpleQueue[tuple[ShownRows, Future[str]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="shown-writer", daemon=True)
        self._thread.start()

    def record_shown(
        self,
        answers: Answers,
        shown: Presentation,
        *,
        experiment: str | None = None,
        picks: TeamPicks | None = None,
        session_id: str | None = None,
        client: str = col.FINDER,
    ) -> str:
        """`FeedbackStore.record_shown`, returning once a shared transaction has stored it."""
        rows = shown_rows(answers, shown, None, experiment, picks, session_id, client)
        stored: Future[str] = Future()
        if not self._thread.is_alive():
            raise StoreError("could not save the session: the writer has stopped")
        self._waiting.put((rows, stored))
        return self._wait(stored)

    def _wait(self, stored: Future[str]) -> str:
        # Poll the writer's health: a caller must never hang on a thread that has died.
        deadline = time.monotonic() + self.wait_seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                return stored.result(timeout=min(1.0, left))
            except FutureTimeout:
                if not self._thread.is_alive() and not stored.done():
                    raise StoreError("could not save the session: the writer has stopped") from None
        # Not started yet: dropped. Already in a transaction: it may still land, unreported.
        if not stored.cancel() and stored.done():
            return stored.result()  # stored (or refused) just as the time ran out
        raise StoreTooSlow(f"could not save the session within {self.wait_seconds:g} s")

    def close(self) -> None:
        """Store what is waiting and stop the writer thread (the store stays open)."""
        self._waiting.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._waiting.get_nowait()
                except queue.Empty:
                    break
                if more is None:  # closing: store this batch, then stop
                    self._waiting.put(None)
                    break
                batch.append(more)
            # A caller that gave up waiting has cancelled its future: its session is not kept.
            batch = [
                (rows, stored) for rows, stored in batch if stored.set_running_or_notify_cancel()
            ]
            if not batch:
                continue
            self.busy_since = time.monotonic()
            try:
                self._write(batch)
            finally:
                self.busy_since = None

    def _write(self, batch: list[tuple[ShownRows, Future[str]]]) -> None:
        group = [rows for rows, _ in batch]
        try:
            self.store.write(lambda conn: write_shown_group(conn, group), "save the session")
        except SessionTaken:
            # A caller's own session id was taken: one checked write each, so only it is refused.
            for waiting in batch:
                self._write_checked(*waiting)
            return
        except Exception as error:  # the store's trouble reaches every caller that waited
            for _, stored in batch:
                stored.set_exception(error)
            return
        for rows, stored in batch:
            stored.set_result(rows.record.session_id)

    def _write_checked(self, rows: ShownRows, stored: Future[str]) -> None:
        try:
            self.store.write(lambda conn: write_shown(conn, [rows]), "save the session")
        except Exception as error:
            stored.set_exception(error)
            return
        stored.set_result(rows.record.session_id)
