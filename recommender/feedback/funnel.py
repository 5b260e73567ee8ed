"""How many shoppers reach each stage of the finder, counted per day and nothing more.

The finder adds one to a stage the first time a shopper reaches it. No session id, answer or
address is kept here, so a shopper who leaves before the results leaves only a count behind
(their answers are stored only with results, SPEC section 9). Clicks and purchases come from
the events table, which already holds them per session.
"""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, select, update

from recommender.errors import InputError
from recommender.feedback import columns as col
from recommender.feedback.records import utc_now
from recommender.feedback.rows import upsert_ignoring
from recommender.feedback.schema import STAGE_LENGTH, funnel
from recommender.feedback.store import FeedbackStore

# A stage is a short word ("step-1", "results", "safety-stop"), never text from a shopper:
# the table stays a few rows a day whatever the page sends.
_STAGE = re.compile(rf"[a-z][a-z0-9-]{{0,{STAGE_LENGTH - 1}}}")


def count_reached(store: FeedbackStore, stage: str, when: datetime | None = None) -> None:
    """One more shopper reached `stage` today (UTC)."""
    if not _STAGE.fullmatch(stage):
        raise InputError(f"funnel stage '{stage[:40]}': not a stage name")
    day = (when or utc_now()).strftime("%Y-%m-%d")

    def write(conn: Connection) -> None:
        conn.execute(
            upsert_ignoring(conn, funnel).values({col.DAY: day, col.STAGE: stage, col.SHOPPERS: 0})
        )
        key = (funnel.c[col.DAY] == day) & (funnel.c[col.STAGE] == stage)
        conn.execute(update(funnel).where(key).values({col.SHOPPERS: funnel.c[col.SHOPPERS] + 1}))

    store.write(write, f"count the funnel stage {stage}")


def read_funnel(store: FeedbackStore) -> pd.DataFrame:
    """Every stored count: `day`, `stage`, `shoppers`."""
    query = select(funnel.c[col.DAY], funnel.c[col.STAGE], funnel.c[col.SHOPPERS])
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=[col.DAY, col.STAGE, col.SHOPPERS])
