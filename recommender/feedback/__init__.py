"""The feedback store (SPEC section 5): what shoppers were shown and what they did.

App (writes):      FeedbackStore.open(url); record_shown, start_session, log_impressions,
                   log_outcome, log_events
Exchange (CSV):    import_feedback (short transactions, published in one step; see importer.py),
                   export_feedback (open the store with FeedbackStore.open(url, read_only=True))
Retention:         purge
Logging policy:    policy.present (ranked or explored order, with each position's propensity)
Analysts/training: read_sessions, read_events (pandas, optionally in chunks)
"""

from recommender.feedback.columns import (
    EVENT_COLUMNS,
    EVENT_KINDS,
    EXPLORE,
    POLICIES,
    RANKED,
    SESSION_COLUMNS,
    SESSION_FILE_COLUMNS,
)
from recommender.feedback.csvio import FeedbackImportError
from recommender.feedback.export import ExportReport, export_feedback
from recommender.feedback.importer import ImportReport, import_feedback
from recommender.feedback.migrations import LATEST_VERSION, MIGRATIONS, Migration, migrate
from recommender.feedback.picks import TeamPicks
from recommender.feedback.reads import read_events, read_experiments, read_picks, read_sessions
from recommender.feedback.records import Event, Impression, SessionRecord
from recommender.feedback.retention import PurgeReport, purge
from recommender.feedback.store import FeedbackStore

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "EXPLORE",
    "LATEST_VERSION",
    "MIGRATIONS",
    "POLICIES",
    "RANKED",
    "SESSION_COLUMNS",
    "SESSION_FILE_COLUMNS",
    "Event",
    "ExportReport",
    "FeedbackImportError",
    "FeedbackStore",
    "ImportReport",
    "Impression",
    "Migration",
    "PurgeReport",
    "SessionRecord",
    "TeamPicks",
    "export_feedback",
    "import_feedback",
    "migrate",
    "purge",
    "read_events",
    "read_experiments",
    "read_picks",
    "read_sessions",
]
