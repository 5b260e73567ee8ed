"""Retention: feedback older than the allowed number of days is deleted, with its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from recommender.errors import InputError
from recommender.feedback.records import utc_now
from recommender.feedback.store import FeedbackStore


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a purge deleted, and the cutoff it used."""

    cutoff: datetime
    sessions: int
    events: int

    def summary(self) -> str:
        """One line for the command line."""
        return (
            f"deleted {self.sessions} sessions and {self.events} events "
            f"from before {self.cutoff.date().isoformat()}"
        )


def purge(store: FeedbackStore, older_than_days: int, now: datetime | None = None) -> PurgeReport:
    """Delete sessions created, and events logged, more than `older_than_days` days ago."""
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int):
        raise InputError(f"--older-than: expected a whole number of days, got {older_than_days!r}")
    if older_than_days < 1:
        raise InputError(f"--older-than: must be 1 day or more, got {older_than_days}")
    cutoff = (now or utc_now()) - timedelta(days=older_than_days)
    sessions, events = store.delete_sessions_before(cutoff)
    return PurgeReport(cutoff, sessions, events)
