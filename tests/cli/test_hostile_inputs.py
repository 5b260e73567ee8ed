"""The reviewer's hostile inputs, replayed through the installed command: each one is bad input,
so exit 2 with the problem named on a line of stderr, never a traceback and never exit 1."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CATALOG_DIR, REPO

HUGE_NUMBER = "9" * 5000
DEEP = "[" * 5000 + "]" * 5000
KNEE = {"schema_version": 1, "pain_areas": ["knee"]}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, catalog, ignore=shutil.ignore_patterns(".history"))
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "RECOMMENDER_CATALOG": str(catalog),
        "RECOMMENDER_MODELS": str(tmp_path / "models"),
        "RECOMMENDER_DB": f"sqlite:///{tmp_path / 'feedback.db'}",
    }


def recommender(env: dict[str, str], *argv: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "recommender_cli.main", *argv],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_refused(done: subprocess.CompletedProcess, problem: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "unexpected failure" not in done.stderr
    assert any(problem in line for line in done.stderr.splitlines()), done.stderr


def catalog_of(env: dict[str, str]) -> Path:
    return Path(env["RECOMMENDER_CATALOG"])


def rewrite_products(env: dict[str, str], change) -> None:
    path = catalog_of(env) / "products.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


# products.csv


def test_products_not_utf8_is_named_with_its_row(env):
    path = catalog_of(env) / "products.csv"
    path.write_bytes(path.read_bytes().replace(b"Kinetra", "Kin\xe9tra".encode("latin-1")))
    assert_refused(recommender(env, "catalog", "validate"), "products.csv row 2: not UTF-8")


def test_products_cell_over_128_kib_is_named(env):
    rewrite_products(env, lambda rows: rows[3].__setitem__(1, "x" * (129 * 1024)))
    done = recommender(env, "catalog", "validate")
    assert_refused(done, "products.csv row 4: a cell is longer than the 131,072 characters")


def test_products_over_the_size_cap_is_named(env):
    path = catalog_of(env) / "products.csv"
    with path.open("a") as handle:
        handle.write(("# padding\n" * 1024) * 3400)  # about 33 MiB
    assert_refused(recommender(env, "catalog", "validate"), "products.csv: larger than the")


def test_a_duplicate_sku_header_is_reported_as_such(env):
    rewrite_products(env, lambda rows: [row.append(row[0]) for row in rows])
    done = recommender(env, "catalog", "validate")
    assert_refused(done, "products.csv: column 'sku' appears more than once in the header")
    assert "no products" not in done.stderr


# weights.toml


def test_weights_nested_5000_deep_is_named(env):
    (catalog_of(env) / "weights.toml").write_text(f"deep = {DEEP}\n")
    assert_refused(recommender(env, "catalog", "validate"), "weights.toml: not valid TOML (nested")


def test_weights_that_is_a_folder_is_named(env):
    weights = catalog_of(env) / "weights.toml"
    weights.unlink()
    weights.mkdir()
    assert_refused(recommender(env, "catalog", "validate"), "weights.toml: is a folder")


# answers with a 5,000-digit number


def test_a_5000_digit_number_in_answers_is_named(env, tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(f'{{"schema_version": 1, "budget_max": {HUGE_NUMBER}}}')
    done = recommender(env, "recommend", "--answers", str(answers))
    assert_refused(done, "answers: not valid JSON (a number 5,000 digits long is too long)")


def test_a_5000_digit_number_spoils_only_its_own_line_of_a_batch(env, tmp_path):
    batch = tmp_path / "in.jsonl"
    lines = [json.dumps(KNEE), f'{{"budget_max": {HUGE_NUMBER}}}', json.dumps(KNEE)]
    batch.write_text("\n".join(lines) + "\n")
    done = recommender(env, "recommend", "--batch", str(batch))
    assert done.returncode == 0, done.stderr
    first, bad, last = (json.loads(line) for line in done.stdout.splitlines())
    assert first["items"] and last["items"] == first["items"]
    assert bad == {"error": "line 2: not valid JSON (a number 5,000 digits long is too long)"}


def test_a_5000_digit_number_in_personas_is_named_with_its_line(env):
    personas = catalog_of(env) / "personas.jsonl"
    bad = {"id": "huge", "description": "a huge budget", "answers": {}, "expect": []}
    line = json.dumps(bad).replace('"answers": {}', f'"answers": {{"budget_max": {HUGE_NUMBER}}}')
    personas.write_text(personas.read_text() + line + "\n")
    done = recommender(env, "catalog", "check-personas")
    assert_refused(done, "personas.jsonl line")
    assert "too long" in done.stderr


def test_imported_answers_nested_5000_deep_are_named(env, tmp_path):
    sessions, events = tmp_path / "sessions.csv", tmp_path / "events.csv"
    with sessions.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["session_id", "created_at", "answers", "triage_level", "model_version", "policy"]
        )
        writer.writerow(["s1", "2025-03-01T10:00:00Z", DEEP, "none", "rules-only", "ranked"])
    events.write_text("session_id,ts,sku,position,event,propensity\n")
    done = recommender(
        env, "feedback", "import", "--sessions", str(sessions), "--events", str(events)
    )
    assert_refused(done, "nested too deeply")


# simulate, purge, train, set-password


def test_simulate_with_a_negative_seed_is_refused(env, tmp_path):
    done = recommender(
        env, "simulate", "--sessions", "5", "--out", str(tmp_path / "s"), "--seed", "-1"
    )
    assert_refused(done, "-1 must be 0 or more")


def test_simulate_out_pointing_at_a_file_is_refused(env, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("keep me\n")
    done = recommender(env, "simulate", "--sessions", "2", "--out", str(target))
    assert_refused(done, f"--out {target}: is a file")
    assert target.read_text() == "keep me\n"


def test_simulate_with_a_hostile_session_count_is_capped_with_a_reason(env, tmp_path):
    out = tmp_path / "s"
    done = recommender(env, "simulate", "--sessions", "99999999999999", "--out", str(out))
    assert_refused(done, "is over the 100,000 sessions one run may simulate")
    assert not out.exists()


def test_purge_older_than_a_hostile_number_of_days_is_refused(env):
    done = recommender(env, "feedback", "purge", "--older-than", "99999999999")
    assert_refused(done, "99999999999 is outside 1 to 36500 days")


def test_train_with_the_models_setting_pointing_at_a_file_names_the_setting(env, tmp_path):
    models = tmp_path / "models-file"
    models.write_text("not a folder\n")
    done = recommender({**env, "RECOMMENDER_MODELS": str(models)}, "train")
    assert_refused(done, f"setting RECOMMENDER_MODELS ({models}): is a file")


@pytest.mark.parametrize("value", ["3", "13", "ten", "7.5"])
def test_a_bad_explore_top_n_setting_is_refused_by_name(env, value):
    done = recommender({**env, "RECOMMENDER_EXPLORE_TOP_N": value}, "recommend", "--answers", "-")
    assert_refused(done, f"setting RECOMMENDER_EXPLORE_TOP_N: '{value}' is not a whole number")


def test_set_password_with_secrets_pointing_at_a_folder_is_refused(env, tmp_path):
    folder = tmp_path / "secrets"
    folder.mkdir()
    done = recommender(
        env, "admin", "set-password", "--password-stdin", "--secrets", str(folder), stdin="pw\n"
    )
    assert_refused(done, f"--secrets {folder}: is a folder")
    assert list(folder.iterdir()) == []
