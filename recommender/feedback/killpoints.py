"""Named kill points, so the tests can prove that a process killed at any step of an import
leaves the store whole. Only the tests set RECOMMENDER_TEST_KILL_AT; in use this does nothing.

(Same name and meaning as `recommender.faults`, which the lead will fold this into.)
"""

from __future__ import annotations

import os

KILL_AT_ENV = "RECOMMENDER_TEST_KILL_AT"
# Exit status of a process killed with SIGKILL (128 + 9), as a shell reports it.
KILLED = 137


def kill_point(name: str) -> None:
    """Die on the spot, like `kill -9`, when the tests asked to die at `name`."""
    if os.environ.get(KILL_AT_ENV) == name:
        os._exit(KILLED)
