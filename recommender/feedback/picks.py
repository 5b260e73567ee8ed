"""Interleaved sessions' picks: which team (served or candidate ranking) put each product in the
list, and which candidate model it was. Kept in their own table (`interleaved_picks`, added by
migration 5) so the sessions and events of SPEC section 5 keep their exact columns.

    store.record_shown(answers, presentation, experiment="interleave", picks=TeamPicks(...))

They are read back with `reads.read_picks` and `reads.read_picked_outcomes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert

from recommender.feedback import columns as col
from recommender.feedback.records import check_choice, check_text
from recommender.feedback.schema import interleaved

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
    """Insert the team of each product shown in `session_id`, in `conn`'s transaction."""
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
