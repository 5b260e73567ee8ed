"""An export killed halfway (the process gone, no clean-up run) leaves no half file behind the
destination's name: the earlier file stays whole, or there is none."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

KILLED_MIDWAY = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from recommender.feedback.csvio import write_csv

    def rows():
        for number in range(5000):
            yield ["s%d" % number, "x" * 100]
            if number == 4000:  # thousands of rows written and flushed: then the power goes
                os.kill(os.getpid(), signal.SIGKILL)

    write_csv(Path(sys.argv[1]), ["session_id", "note"], rows())
    """
)


def _export_killed(destination: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", KILLED_MIDWAY, str(destination)], env=env, capture_output=True
    )
    assert done.returncode == -9, done.stderr.decode()


def test_an_export_killed_midway_leaves_the_earlier_file_whole(tmp_path: Path) -> None:
    destination = tmp_path / "sessions.csv"
    destination.write_text("session_id,note\ns-old,kept\n")
    _export_killed(destination)
    assert destination.read_text() == "session_id,note\ns-old,kept\n"


def test_a_first_export_killed_midway_leaves_no_file_under_the_name(tmp_path: Path) -> None:
    destination = tmp_path / "sessions.csv"
    _export_killed(destination)
    assert not destination.exists()
    # Only a hidden scratch file may remain; nothing a reader would take for the export.
    assert all(path.name.startswith(".") for path in tmp_path.iterdir())
