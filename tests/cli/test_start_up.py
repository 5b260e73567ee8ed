"""A script calling `recommender recommend` waits only for what the shopper path needs.

Each run is a fresh interpreter, so `sys.modules` shows exactly what the command loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import CATALOG_DIR

LEARNING_AND_STORAGE = {"sklearn", "lightgbm", "sqlalchemy", "streamlit", "training"}

PROBE = """
import contextlib, io, json, sys
from recommender_cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as shown:
    try:
        code = main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "shown": shown.getvalue(), "loaded": loaded}))
"""


def run_command(*argv: str, env_path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "RECOMMENDER_CATALOG": str(CATALOG_DIR),
            "RECOMMENDER_MODELS": str(env_path / "models"),
            "RECOMMENDER_DB": f"sqlite:///{env_path / 'store.db'}",
        },
    )
    return json.loads(done.stdout)


def test_a_rules_only_recommendation_loads_no_learner_and_no_database(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"bunions": "both", "pain_areas": ["knee"]}))
    run = run_command("recommend", "--answers", str(answers), "--rules-only", env_path=tmp_path)
    assert run["code"] == 0 and json.loads(run["shown"])["items"]
    assert LEARNING_AND_STORAGE.isdisjoint(run["loaded"]), run["loaded"]


def test_the_command_list_shows_without_loading_any_command(tmp_path):
    run = run_command("--help", env_path=tmp_path)
    assert run["code"] == 0 and "recommend" in run["shown"] and "train" in run["shown"]
    assert {"pandas", "numpy", *LEARNING_AND_STORAGE}.isdisjoint(run["loaded"]), run["loaded"]
