"""Interleaved sessions' picks: which team (served or candidate ranking) put each product in the
list, and which candidate model it was. Kept in their own table (`interleaved_picks`, added by
migration 5) so the sessions and events of SPEC section 5 keep their exact columns.

    store.record_shown(answers, presentation, experiment="interleave", picks=TeamPicks(...))
    read_picks(store) -> DataFrame(session_id, position, sku, team, candidate_model)
    read_picked_outcomes(store, ("click", ...)) -> DataFrame(session_id, sku, event)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, insert, select

from recommender.feedback import columns as col
from recommender.feedback.records import check_choice, check_text
from recommender.feedback.schema import events, interleaved

if TYPE_CHECKING:
    from recommender.feedback.store import FeedbackStore

TEAMS = ("served", "candidate")  # the same words as recommender.model.interleaving.TEAMS
PICK_COLUMNS = (col.SESSION_ID, col.POSITION, col.SKU, col.TEAM, col.CANDIDATE_MODEL)


@dataclass(frozen=True, slots=True)
class TeamPicks:
    """The candidate model, and the team of each shown product, in the order shown."""

    candidate_model: str
    teams: tuple[str, ...]

    def checked(self) -> TeamPicks:
        """The same picks, or FieldProblem naming the column that is wrong."""
        for team in self.teams:
            check_choice(col.TEAM, team, TEAMS)
        return TeamPicks(check_text(col.CANDIDATE_MODEL, self.candidate_model), self.teams)


def insert_picks(conn: Connection, session_id: str, skus: Sequence[str], picks: TeamPicks) -> None:
    if len(skus) != len(picks.teams):
        raise ValueError(f"{len(skus)} products shown but {len(picks.teams)} teams recorded")
    rows = [
        {
            col.SESSION_ID: session_id,
            col.POSITION: position,
            col.SKU: sku,
            col.TEAM: team,
            col.CANDIDATE_MODEL: picks.candidate_model,
        }
        for position, (sku, team) in enumerate(zip(skus, picks.teams, strict=True), start=1)
    ]
    if rows:
        conn.execute(insert(interleaved), rows)


def read_picks(store: FeedbackStore) -> pd.DataFrame:
    """Every interleaved pick, ordered by session and position (`PICK_COLUMNS`)."""
    from recommender.feedback.reads import read_table  # reads imports the store, which needs us

    query = select(*(interleaved.c[name] for name in PICK_COLUMNS)).order_by(
        interleaved.c[col.SESSION_ID], interleaved.c[col.POSITION]
    )
    frame = read_table(store, query)
    return frame.astype({col.POSITION: "int64"})[list(PICK_COLUMNS)]


def read_picked_outcomes(store: FeedbackStore, kinds: Sequence[str]) -> pd.DataFrame:
    """The events of kinds `kinds` in interleaved sessions only (session_id, sku, event): a
    report need not read the whole events table."""
    from recommender.feedback.reads import read_table

    picked = select(interleaved.c[col.SESSION_ID]).distinct()
    query = select(events.c[col.SESSION_ID], events.c[col.SKU], events.c[col.EVENT]).where(
        events.c[col.SESSION_ID].in_(picked), events.c[col.EVENT].in_(list(kinds))
    )
    return read_table(store, query)
