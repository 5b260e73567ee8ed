"""Named fault points for the crash tests: a kill or a full disk at an exact step of a save.

Code that must survive a crash part-way calls `checkpoint("weights.after_history")` between its
steps. In normal use that is a dictionary look-up and nothing else. The tests set

    RECOMMENDER_TEST_KILL_AT=weights.after_history       the process dies there, as with kill -9
    RECOMMENDER_TEST_FULL_DISK_AT=weights.audit_append   that step fails with ENOSPC

(each takes a comma-separated list of names) and then check what the next start finds. Any
module with steps worth crashing between (feedback import, train, feed import) uses the same
two variables with its own prefix, so one test helper drives them all.
"""

from __future__ import annotations

import errno
import os

KILL_AT = "RECOMMENDER_TEST_KILL_AT"
FULL_DISK_AT = "RECOMMENDER_TEST_FULL_DISK_AT"
# What a test sees as the killed process's exit status; chosen to differ from 0, 1 and 2.
KILLED_EXIT_CODE = 137


def checkpoint(name: str) -> None:
    """Die or fail here when a test asked for it; otherwise do nothing."""
    if name in _names(KILL_AT):
        os._exit(KILLED_EXIT_CODE)  # no cleanup, no flushing: what a kill -9 or power cut leaves
    if name in _names(FULL_DISK_AT):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)


def _names(variable: str) -> set[str]:
    raw = os.environ.get(variable, "")
    return {part.strip() for part in raw.split(",") if part.strip()} if raw else set()
