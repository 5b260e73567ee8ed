"""The interleaving report: each session credited to the team whose products shoppers acted on."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.errors import InputError
from training.interleaving import interleaving_report, preference, session_outcomes


def _picks(session: str, model: str, *teams: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "session_id": session,
            "position": range(1, len(teams) + 1),
            "sku": [f"P{n}" for n in range(1, len(teams) + 1)],
            "team": teams,
            "candidate_model": model,
        }
    )


def _events(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["session_id", "sku", "event"])


def test_each_session_is_won_by_the_team_shoppers_acted_on_most():
    picks = pd.concat(
        [
            _picks("s1", "m1", "candidate", "served", "candidate"),
            _picks("s2", "m1", "served", "candidate", "served"),
            _picks("s3", "m1", "candidate", "served", "served"),
            _picks("s4", "m1", "served", "candidate", "candidate"),
        ]
    )
    events = _events(
        ("s1", "P1", "click"),  # candidate 1
        ("s2", "P1", "click"),
        ("s2", "P1", "add_to_cart"),
        ("s2", "P1", "purchase"),  # served 3 (once, not 1 + 2 + 3) ...
        ("s2", "P2", "click"),
        ("s2", "P2", "add_to_cart"),  # ... against candidate 2
        ("s3", "P1", "click"),
        ("s3", "P2", "click"),  # 1 each: a tie
        ("s4", "P9", "purchase"),  # a product the list did not hold: a tie at 0
        ("s4", "P2", "helpful"),
    )
    outcomes = session_outcomes(picks, events).set_index("session_id")
    assert outcomes["winner"].to_dict() == {
        "s1": "candidate",
        "s2": "served",
        "s3": "tie",
        "s4": "tie",
    }
    assert outcomes.loc["s2", ["served", "candidate"]].tolist() == [3, 2]

    (report,) = interleaving_report(picks, events)
    assert (report.sessions, report.wins, report.losses, report.ties) == (4, 1, 1, 2)
    assert report.share == 0.5 and report.verdict == "no clear preference yet"


def test_the_interval_is_wilsons_and_ties_do_not_count_in_the_share():
    winners = pd.Series(["candidate"] * 60 + ["served"] * 40 + ["tie"] * 500)
    result = preference("m1", winners)
    assert (result.wins, result.losses, result.ties, result.share) == (60, 40, 500, 0.6)
    # Wilson's 95% interval for 60 of 100, worked by hand.
    assert result.low == pytest.approx(0.5020, abs=1e-4)
    assert result.high == pytest.approx(0.6906, abs=1e-4)
    assert result.verdict == "shoppers prefer the candidate"
    assert preference("m1", pd.Series(["served"] * 30 + ["candidate"] * 5)).verdict == (
        "shoppers prefer the served ranking"
    )


def test_sessions_where_nobody_acted_give_no_share_rather_than_a_guess():
    (report,) = interleaving_report(_picks("s1", "m1", "served", "candidate"), _events())
    assert (report.ties, report.share, report.low) == (1, None, None)
    assert report.verdict == "no session has a winner yet"


def test_each_candidate_gets_its_own_row_newest_first_and_none_is_an_input_error():
    picks = pd.concat([_picks("a", "m2025", "served"), _picks("b", "m2026", "candidate")])
    assert [r.candidate_model for r in interleaving_report(picks, _events())] == ["m2026", "m2025"]
    assert [r.candidate_model for r in interleaving_report(picks, _events(), "m2025")] == ["m2025"]
    with pytest.raises(InputError, match="no interleaved sessions"):
        interleaving_report(picks.iloc[0:0], _events())
