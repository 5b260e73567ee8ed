"""An import into the live catalog is one unit with its sizes: a crash or a full disk at any
step leaves products.csv and sizes.csv from the same recorded version, and later saves keep them."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from recommender.faults import FULL_DISK_AT, KILL_AT, KILLED_EXIT_CODE
from recommender.merchandising.history import history
from recommender.merchandising.proposals import current_state, propose
from recommender.merchandising.weights_store import save_proposal, version_state
from tests.feed.conftest import EXAMPLES, MAPPING, REPO

KILL_POINTS = (
    "weights.after_snapshot",
    "weights.after_journal",
    "weights.after_history",
    "weights.between_files",
    "weights.after_live",
)


def import_in_a_process(catalog_dir: Path, **fault: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "RECOMMENDER_CATALOG": str(catalog_dir), **fault}
    feed = EXAMPLES / "merchant-center.tsv"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "recommender_cli.main",
            "catalog",
            "import-feed",
            str(feed),
            "--mapping",
            str(MAPPING),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_killed_import_leaves_products_and_sizes_of_one_recorded_version(catalog_dir, point):
    before = current_state(catalog_dir)
    result = import_in_a_process(catalog_dir, **{KILL_AT: point})
    assert result.returncode == KILLED_EXIT_CODE, result.stderr
    after = current_state(catalog_dir)  # the next start finishes or undoes the import
    if after.products_text == before.products_text:
        assert after.sizes_text == before.sizes_text  # undone whole, the bundled sizes kept
    else:
        latest = history(catalog_dir)[-1]
        assert latest.action == "import"
        assert version_state(catalog_dir, latest.version) == after
        assert after.sizes_text.startswith("sku,size,measure,min,max\n")
    # Whatever the crash left, importing again completes and then holds.
    assert import_in_a_process(catalog_dir).returncode == 0
    assert (catalog_dir / "sizes.csv").is_file()


def test_a_full_disk_during_an_import_changes_nothing(catalog_dir):
    before = current_state(catalog_dir)
    result = import_in_a_process(catalog_dir, **{FULL_DISK_AT: "weights.between_files"})
    assert result.returncode == 2, result.stderr
    assert "RECOMMENDER_CATALOG" in result.stderr and "nothing was changed" in result.stderr
    assert current_state(catalog_dir) == before  # products, weights and sizes alike


def test_a_weights_save_after_an_import_keeps_the_sizes(catalog_dir):
    assert import_in_a_process(catalog_dir).returncode == 0
    sizes = (catalog_dir / "sizes.csv").read_text(encoding="utf-8")
    opened = current_state(catalog_dir)
    data = tomllib.loads(opened.weights_text)
    data["boosts"] = {**data["boosts"], "KS-101": 0.5}
    save_proposal(catalog_dir, propose(opened, data, {}), base_token=opened.token, who="ana")
    assert (catalog_dir / "sizes.csv").read_text(encoding="utf-8") == sizes
    assert "KS-101 = 0.5" in (catalog_dir / "weights.toml").read_text(encoding="utf-8")
