"""Model files cannot run code: the reviewer's crafted pickle, by path and swapped into the registry.

The pickle's `__reduce__` would create a marker file when unpickled; every command an analyst or
a shopper's request can reach is run against it, and the marker must never appear.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.model import records as model_records
from recommender.model import registry
from recommender_cli.main import main
from training.pipeline import promote_model, train_candidate

ROOT = Path(__file__).resolve().parents[2]


class RunsACommand:
    """What an attacker would save as a model: unpickling it runs a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {shlex.quote(str(self.marker))}",))


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "the-pickle-ran"


@pytest.fixture
def payload(marker: Path, tmp_path: Path) -> bytes:
    data = pickle.dumps(RunsACommand(marker))
    # The control: this payload really does run its command when unpickled.
    control = tmp_path / "control-marker"
    pickle.loads(pickle.dumps(RunsACommand(control)))
    assert control.exists()
    return data


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"pain_areas": ["knee"], "activities": ["running"]}))
    return path


def _crafted_folder(folder: Path, payload: bytes) -> Path:
    """A model folder whose every file is the pickle, with a card vouching for each hash."""
    folder.mkdir(parents=True)
    digests = {}
    for name in (*registry.MODEL_FILES, "model.joblib"):
        (folder / name).write_bytes(payload)
        digests[name] = hashlib.sha256(payload).hexdigest()
    card = {"id": folder.name, "created": "2026-01-01T00:00:00", "sha256": digests}
    card["trust"] = {"trusted": True, "reason": "says so itself"}
    (folder / registry.CARD_FILE).write_text(json.dumps(card))
    return folder


def test_a_pickle_named_by_path_never_runs(
    settings, tmp_path, payload, marker, answers_file, capsys
):
    folder = _crafted_folder(tmp_path / "downloads" / "m-evil", payload)

    for reference in (folder, folder / "model.joblib", folder / registry.MODEL_FILE):
        assert main(["recommend", "--answers", str(answers_file), "--model", str(reference)]) == 2
        error = capsys.readouterr().err
        assert "outside RECOMMENDER_MODELS" in error and "models import" in error
    assert main(["evaluate", "--model", str(folder)]) == 2
    assert main(["models", "import", str(folder)]) == 2
    assert "not a LightGBM model" in capsys.readouterr().err
    assert main(["models", "list"]) == 0

    assert not marker.exists()
    assert registry.list_models(settings.models_dir) == []  # the refused import left nothing


@pytest.mark.parametrize(
    "swapped",
    [registry.MODEL_FILES, (registry.MODEL_FILE,)],
    ids=["every model file", "the model text only, as a text pickle"],
)
def test_a_pickle_swapped_into_a_registered_model_never_runs(
    settings, trained, marker, answers_file, capsys, swapped
):
    promote_model(settings, trained.card.model_id, allow_synthetic=True)
    folder = trained.card.folder
    # Protocol 0 is plain ASCII, so the second case reaches LightGBM's text parser.
    payload = pickle.dumps(RunsACommand(marker), protocol=0 if len(swapped) == 1 else 5)
    for name in swapped:
        (folder / name).write_bytes(payload)
    # Every hash an attacker with write access can reach is updated: the card's and even the
    # registry's own record. The files then hash fine, and are still never unpickled.
    digests = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in registry.MODEL_FILES
    }
    card = json.loads((folder / registry.CARD_FILE).read_text())
    (folder / registry.CARD_FILE).write_text(json.dumps({**card, "sha256": digests}))
    model_records.record_model(settings.models_dir, trained.card.model_id, digests, 0, "forged")
    capsys.readouterr()

    assert main(["recommend", "--answers", str(answers_file)]) == 0
    shown = capsys.readouterr()
    assert json.loads(shown.out)["model_version"] == "rules-only"
    assert "not a LightGBM model text" in shown.err or "cannot be loaded" in shown.err
    assert "serving rules-only" in shown.err
    assert main(["models", "list"]) == 0
    assert main(["evaluate"]) == 2
    argv = ["models", "promote", trained.card.model_id, "--force", "--allow-synthetic"]
    assert main(argv) == 2

    assert not marker.exists()


def test_a_changed_model_file_serves_rules_only_with_a_notice(
    settings, trained, answers_file, capsys
):
    promote_model(settings, trained.card.model_id, allow_synthetic=True)
    path = trained.card.model_path
    path.write_text(path.read_text().replace("shrinkage=", "shrinkage=9"))
    capsys.readouterr()

    assert main(["recommend", "--answers", str(answers_file)]) == 0
    shown = capsys.readouterr()
    result = json.loads(shown.out)
    assert result["model_version"] == "rules-only" and result["items"]
    assert all(item["score_parts"]["model"] == 0 for item in result["items"])
    assert "does not match the sha256 the registry recorded" in shown.err


def test_listing_models_reads_cards_only_and_never_loads_a_model(settings, trained):
    promote_model(settings, trained.card.model_id, allow_synthetic=True)
    script = (
        "import sys; from recommender_cli.main import main; code = main(['models', 'list']); "
        "print('loaded:', sorted(m for m in ('lightgbm', 'sklearn') if m in sys.modules)); "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert trained.card.model_id in done.stdout and "SIMULATED" in done.stdout
    assert f"serving: {trained.card.model_id}" in done.stdout
    assert "loaded: []" in done.stdout


def test_a_staging_folder_left_by_a_killed_train_is_ignored_then_removed(
    settings, payload, marker, answers_file
):
    leftover = settings.models_dir / ".staging-999999999-abc"
    leftover.mkdir(parents=True)
    (leftover / "model.joblib").write_bytes(payload)
    (leftover / registry.CARD_FILE).write_text(json.dumps({"id": leftover.name}))

    assert registry.list_models(settings.models_dir) == []
    assert main(["recommend", "--answers", str(answers_file), "--model", leftover.name]) == 2
    assert main(["recommend", "--answers", str(answers_file), "--model", str(leftover)]) == 2
    train_candidate(settings, seed=0)

    assert not leftover.exists()
    assert [p.name for p in settings.models_dir.glob(".staging-*")] == []
    assert not marker.exists()


def test_a_model_trained_elsewhere_is_refused_until_imported(
    settings, tmp_path, answers_file, capsys
):
    outside = tmp_path / "elsewhere"
    report = train_candidate(settings, out_dir=outside, seed=0)
    capsys.readouterr()

    assert (
        main(["recommend", "--answers", str(answers_file), "--model", str(report.card.folder)]) == 2
    )
    assert "models import" in capsys.readouterr().err

    assert main(["models", "import", str(report.card.folder)]) == 0
    imported_id = capsys.readouterr().out.split(" as ")[1].split()[0]
    card = registry.find_model(settings.models_dir, imported_id)
    assert card.data["imported_from"] == str(report.card.folder.resolve())
    assert card.data["synthetic_sessions"] == report.card.data["synthetic_sessions"] > 0

    assert main(["recommend", "--answers", str(answers_file), "--model", imported_id]) == 0
    shown = capsys.readouterr()
    assert json.loads(shown.out)["model_version"] == imported_id
    assert "simulated sessions" in shown.err  # a synthetic model always says so


def test_damaged_registry_records_mean_rules_only_with_a_notice_not_a_crash(
    settings, trained, answers_file, capsys
):
    promote_model(settings, trained.card.model_id, allow_synthetic=True)
    (settings.models_dir / model_records.RECORDS_FILE).write_text("[1]")
    capsys.readouterr()

    assert main(["recommend", "--answers", str(answers_file)]) == 0
    shown = capsys.readouterr()
    assert json.loads(shown.out)["model_version"] == "rules-only"
    assert "damaged model records" in shown.err
    assert main(["models", "list"]) == 0
    assert "serving: rules-only" in capsys.readouterr().out


@pytest.mark.slow  # two full trains
@pytest.mark.parametrize("point", ["train.staged", "train.recorded"])
def test_a_train_killed_while_saving_leaves_no_half_model_and_the_next_one_works(
    small_store_settings, point
):
    settings = small_store_settings
    # Killed as with kill -9, with the model's files written but not yet live.
    killed = subprocess.run(
        [sys.executable, "-m", "recommender_cli.main", "train"],
        env=os.environ | {"RECOMMENDER_TEST_KILL_AT": point},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert killed.returncode == 137, killed.stderr

    assert registry.list_models(settings.models_dir) == []  # nothing half-saved is listed
    assert main(["models", "list"]) == 0

    report = train_candidate(settings, seed=0)  # the next run works, and tidies up
    assert [c.model_id for c in registry.list_models(settings.models_dir)] == [report.card.model_id]
    assert list(settings.models_dir.glob(".staging-*")) == []
    assert registry.file_problem(report.card) is None
