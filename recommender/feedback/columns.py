"""Names of the feedback tables, their columns and vocabularies (SPEC section 5), in one place."""

from __future__ import annotations

from recommender.shopper.result import TRIAGE_LEVELS

SESSIONS = "sessions"
EVENTS = "events"
SCHEMA_VERSION_TABLE = "feedback_schema_version"

SESSION_ID = "session_id"
CREATED_AT = "created_at"
ANSWERS = "answers"
TRIAGE_LEVEL = "triage_level"
MODEL_VERSION = "model_version"
POLICY = "policy"
# Revision 3: which client made the session (`finder`, `public`, or an API key's id).
CLIENT = "client"
FINDER = "finder"
PUBLIC = "public"
# Not in the CSV exchange files: which experiment arm (if any) served the session.
EXPERIMENT = "experiment"
# Not in the CSV exchange files: which import added a row (NULL for the app's own writes).
# Rows of an import stay invisible to every read until that import is published.
IMPORT_ID = "import_id"
IMPORTS = "feedback_imports"
STARTED_AT = "started_at"
PUBLISHED_AT = "published_at"

# Not in the CSV exchange files: per interleaved session, which team picked each product shown.
INTERLEAVED = "interleaved_picks"
TEAM = "team"
CANDIDATE_MODEL = "candidate_model"

# Added by migration 7: how many shoppers reached each stage of the finder, per day (counts
# only: nothing about who, so a shopper who leaves before results leaves no answers behind).
FUNNEL = "funnel_counts"
DAY = "day"
STAGE = "stage"
SHOPPERS = "shoppers"

EVENT_ID = "event_id"
TS = "ts"
SKU = "sku"
POSITION = "position"
EVENT = "event"
PROPENSITY = "propensity"

# The exact columns of the CSV exchange files, in the order they are written.
SESSION_COLUMNS = (SESSION_ID, CREATED_AT, ANSWERS, TRIAGE_LEVEL, MODEL_VERSION, POLICY)
# Exports write these too; an import without them reads their default (`client`: finder).
OPTIONAL_SESSION_COLUMNS = (CLIENT,)
SESSION_FILE_COLUMNS = (*SESSION_COLUMNS, *OPTIONAL_SESSION_COLUMNS)
EVENT_COLUMNS = (SESSION_ID, TS, SKU, POSITION, EVENT, PROPENSITY)
# The natural key of an event: importing the same event twice must not add a row.
EVENT_KEY = (SESSION_ID, TS, SKU, POSITION, EVENT)

RANKED = "ranked"
EXPLORE = "explore"
POLICIES = (RANKED, EXPLORE)

IMPRESSION = "impression"
# `returned` (revision 2): the product came back after a purchase, a negative label.
EVENT_KINDS = (
    "impression",
    "click",
    "add_to_cart",
    "purchase",
    "helpful",
    "not_helpful",
    "returned",
)
OUTCOME_KINDS = EVENT_KINDS[1:]

__all__ = [
    "ANSWERS",
    "CLIENT",
    "CREATED_AT",
    "EVENT",
    "EVENTS",
    "EVENT_COLUMNS",
    "EVENT_ID",
    "EVENT_KEY",
    "EVENT_KINDS",
    "EXPLORE",
    "FINDER",
    "IMPORTS",
    "IMPORT_ID",
    "IMPRESSION",
    "MODEL_VERSION",
    "OPTIONAL_SESSION_COLUMNS",
    "OUTCOME_KINDS",
    "POLICIES",
    "POLICY",
    "POSITION",
    "PROPENSITY",
    "PUBLIC",
    "PUBLISHED_AT",
    "RANKED",
    "SCHEMA_VERSION_TABLE",
    "SESSIONS",
    "SESSION_COLUMNS",
    "SESSION_FILE_COLUMNS",
    "SESSION_ID",
    "SKU",
    "STARTED_AT",
    "TRIAGE_LEVEL",
    "TRIAGE_LEVELS",
    "TS",
]
