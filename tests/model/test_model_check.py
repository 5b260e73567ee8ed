"""A crafted LightGBM model text is refused before anything parses it, and never takes serving down.

The reviewer's four texts: a bad child index (a segfault in LightGBM), a tree with a cycle (a
request that never returns), `num_class=1000000000` (97 GiB), and a truncated text (a segfault
in the import itself). Each is refused by `models import` with exit 2 naming the problem, and
leaves nothing recorded; one forced into the registry by hand still serves rules-only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from recommender.errors import ModelError
from recommender.model import records as model_records
from recommender.model import registry
from recommender.model.features import MODEL_COLUMNS
from recommender.model.learned import LambdaRanker
from recommender.model.model_probe import ProbeLimits, probe_model_text
from recommender.model.model_text_check import check_model_text
from recommender.settings import Settings
from recommender_cli.main import main
from tests.training.test_model_files import answers_file

__all__ = ["answers_file"]  # a fixture shared with tests/training

BOOSTER_NAMES = [name.replace(":", "__") for name in MODEL_COLUMNS]


def _tree_block(text: str, index: int) -> tuple[int, int]:
    start = text.index(f"\nTree={index}\n") + 1
    following = text.find(f"\nTree={index + 1}\n", start)
    return start, (following + 1 if following >= 0 else text.index("\nend of trees\n") + 1)


def _with_sizes_fixed(text: str) -> str:
    """What an attacker would do after editing a tree: make tree_sizes agree again."""
    count = len(re.findall(r"^Tree=\d+$", text, flags=re.M))
    sizes = []
    for index in range(count):
        start, end = _tree_block(text, index)
        sizes.append(str(end - start))
    return re.sub(r"^tree_sizes=.*$", "tree_sizes=" + " ".join(sizes), text, count=1, flags=re.M)


def _split_tree(text: str) -> int:
    """The first tree with at least three leaves (two internal nodes to point at each other)."""
    for index in range(len(re.findall(r"^Tree=\d+$", text, flags=re.M))):
        start, end = _tree_block(text, index)
        leaves = int(re.search(r"num_leaves=(\d+)", text[start:end]).group(1))
        if leaves >= 3:
            return index
    raise AssertionError("the fixture model has no tree with three leaves")


def _edit_children(text: str, edit: Callable[[list[int], list[int]], None]) -> str:
    index = _split_tree(text)
    start, end = _tree_block(text, index)
    block = text[start:end]
    left = [int(v) for v in re.search(r"left_child=(.*)", block).group(1).split()]
    right = [int(v) for v in re.search(r"right_child=(.*)", block).group(1).split()]
    edit(left, right)
    block = re.sub(r"left_child=.*", "left_child=" + " ".join(map(str, left)), block)
    block = re.sub(r"right_child=.*", "right_child=" + " ".join(map(str, right)), block)
    return _with_sizes_fixed(text[:start] + block + text[end:])


def bad_child_index(text: str) -> str:
    def edit(left: list[int], right: list[int]) -> None:
        left[0] = -100_000  # leaf 99,999 of a tree with a handful

    return _edit_children(text, edit)


def cycle(text: str) -> str:
    def edit(left: list[int], right: list[int]) -> None:
        left[0], right[0] = 1, -1
        left[1], right[1] = 1, -2  # node 1 is its own child: a walk from the root never ends

    return _edit_children(text, edit)


def huge_class_count(text: str) -> str:
    return text.replace("num_class=1\n", "num_class=1000000000\n", 1)


def truncated(text: str) -> str:
    return text[: len(text) // 2]


CRAFTED = {
    "bad child index": (bad_child_index, "child index -100000"),
    "cycle": (cycle, "reached twice"),
    "num_class=1000000000": (huge_class_count, "num_class is 1,000,000,000"),
    "truncated": (truncated, "is truncated"),
}


@pytest.fixture(scope="module")
def model_text(small_model: LambdaRanker) -> str:
    return small_model.model_text()


def model_folder(where: Path, text: str, small_model: LambdaRanker) -> Path:
    where.mkdir(parents=True)
    (where / registry.MODEL_FILE).write_text(text)
    state = {**small_model.saved_state(), "training": {"synthetic_sessions": 0}}
    (where / registry.MODEL_STATE_FILE).write_text(json.dumps(state))
    trust = {"trusted": True, "reason": "trained and checked elsewhere"}
    (where / registry.CARD_FILE).write_text(json.dumps({"id": where.name, "trust": trust}))
    return where


@pytest.mark.parametrize("name", list(CRAFTED))
def test_a_crafted_model_text_is_refused_by_import_naming_the_problem(
    name, model_text, small_model, models_settings, tmp_path, monkeypatch, capsys
):
    craft, named = CRAFTED[name]
    monkeypatch.setenv("RECOMMENDER_MODELS", str(models_settings.models_dir))
    folder = model_folder(tmp_path / "from-elsewhere", craft(model_text), small_model)

    assert main(["models", "import", str(folder)]) == 2

    error = capsys.readouterr().err
    assert named in error and "Traceback" not in error
    assert registry.list_models(models_settings.models_dir) == []
    assert model_records.read_records(models_settings.models_dir) == {}


def test_our_own_model_passes_and_its_pass_is_recorded(
    model_text, small_model, models_settings, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("RECOMMENDER_MODELS", str(models_settings.models_dir))
    folder = model_folder(tmp_path / "from-elsewhere", model_text, small_model)

    assert main(["models", "import", str(folder)]) == 0

    (card,) = registry.list_models(models_settings.models_dir)
    checked = model_records.read_records(models_settings.models_dir)[card.model_id]["checked"]
    assert checked["trees"] == small_model.booster_.num_trees()
    assert checked["lightgbm"] and checked["passed"]
    assert registry.file_problem(card) is None


def root_loop(text: str) -> str:
    def edit(left: list[int], right: list[int]) -> None:
        left[0] = right[0] = 0  # the root is its own child: every row walks it for ever

    return _edit_children(text, edit)


@pytest.mark.parametrize(
    "craft, named",
    [(huge_class_count, "could not load"), (root_loop, "did not finish|CPU time")],
    ids=["num_class=1000000000", "a loop at the root"],
)
def test_the_separate_process_survives_what_lightgbm_does_with_a_crafted_text(
    craft, named, model_text
):
    # The second line of defence on its own (the structural check refuses these first): in the
    # limited child LightGBM runs out of memory or loops, and the caller gets a refusal.
    limits = ProbeLimits(cpu_seconds=2, wall_seconds=15)
    with pytest.raises(ModelError, match=named):
        probe_model_text(craft(model_text), len(BOOSTER_NAMES), "crafted", limits)


def test_a_text_needing_more_memory_than_allowed_is_refused_not_run(model_text):
    with pytest.raises(ModelError, match=r"could not load|crashed"):
        probe_model_text(model_text, len(BOOSTER_NAMES), "ours", ProbeLimits(memory_bytes=64 << 20))


@pytest.mark.parametrize(
    "edit, named",
    [
        (lambda t: t.replace("max_feature_idx=", "max_feature_idx=9", 1), "max_feature_idx"),
        (lambda t: _with_sizes_fixed(t.replace("is_linear=0", "is_linear=1", 1)), "linear"),
        (lambda t: t.replace("tree\n", "tree\nnum_threads=99\n", 1), "unknown key"),
        (lambda t: t.replace("pandas_categorical:null", "pandas_categorical:[[1]]"), "null"),
    ],
    ids=["feature count", "linear tree", "unknown header", "pandas categories"],
)
def test_other_shapes_than_our_trainer_writes_are_refused(model_text, edit, named):
    check_model_text(model_text, BOOSTER_NAMES)  # the control: the real text passes

    with pytest.raises(ModelError, match=named):
        check_model_text(edit(model_text), BOOSTER_NAMES)


def force_into_registry(
    settings: Settings, text: str, small_model: LambdaRanker, model_id: str = "m-forced"
) -> str:
    """Everything an attacker with write access can do: files, card, record and a forged pass,
    then promote it by editing registry.json."""
    folder = model_folder(settings.models_dir / model_id, text, small_model)
    digests = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in registry.MODEL_FILES
    }
    card = {"id": model_id, "created": "2026-01-01T00:00:00", "sha256": digests}
    card["trust"] = {"trusted": True, "reason": "says so itself"}
    (folder / registry.CARD_FILE).write_text(json.dumps(card))
    forged = {"passed": "2026-01-01T00:00:00", "lightgbm": "4", "trees": 1}
    model_records.record_model(settings.models_dir, model_id, digests, 0, "forged", forged)
    (settings.models_dir / "registry.json").write_text(json.dumps({"promoted": model_id}))
    return model_id


@pytest.mark.parametrize("name", list(CRAFTED))
def test_a_crafted_model_forced_into_the_registry_serves_rules_only_and_promote_refuses(
    name, model_text, small_model, models_settings, monkeypatch, answers_file, capsys
):
    monkeypatch.setenv("RECOMMENDER_MODELS", str(models_settings.models_dir))
    craft, named = CRAFTED[name]
    model_id = force_into_registry(models_settings, craft(model_text), small_model)

    assert main(["recommend", "--answers", str(answers_file)]) == 0
    shown = capsys.readouterr()
    assert json.loads(shown.out)["model_version"] == "rules-only"
    assert named in shown.err and "serving rules-only" in shown.err

    assert main(["recommend", "--answers", str(answers_file), "--model", model_id]) == 2
    assert named in capsys.readouterr().err
    assert main(["models", "promote", model_id, "--force"]) == 2
    refused = capsys.readouterr().err
    assert named in refused and f"model '{model_id}'" in refused


def test_a_model_without_a_recorded_pass_is_not_served_until_promote_checks_it(
    model_text, small_model, models_settings, tmp_path, monkeypatch, answers_file, capsys
):
    monkeypatch.setenv("RECOMMENDER_MODELS", str(models_settings.models_dir))
    assert (
        main(["models", "import", str(model_folder(tmp_path / "m", model_text, small_model))]) == 0
    )
    (card,) = registry.list_models(models_settings.models_dir)
    records = model_records.read_records(models_settings.models_dir)
    del records[card.model_id]["checked"]  # as recorded before the model check existed
    (models_settings.models_dir / model_records.RECORDS_FILE).write_text(
        json.dumps({"models": records})
    )
    capsys.readouterr()

    assert main(["recommend", "--answers", str(answers_file), "--model", card.model_id]) == 2
    assert "has not passed the model check" in capsys.readouterr().err
    assert main(["models", "promote", card.model_id, "--force"]) == 0
    assert main(["recommend", "--answers", str(answers_file), "--model", card.model_id]) == 0


def test_recommend_with_a_model_the_registry_never_recorded_exits_2_naming_it(
    model_text, small_model, models_settings, monkeypatch, answers_file, capsys
):
    monkeypatch.setenv("RECOMMENDER_MODELS", str(models_settings.models_dir))
    folder = model_folder(models_settings.models_dir / "m-unrecorded", model_text, small_model)
    (folder / registry.CARD_FILE).write_text(
        json.dumps({"id": "m-unrecorded", "trust": {"trusted": True, "reason": "card says"}})
    )

    for reference in ("m-unrecorded", str(folder)):
        assert main(["recommend", "--answers", str(answers_file), "--model", reference]) == 2
        error = capsys.readouterr().err
        assert "m-unrecorded" in error and "not recorded in the registry" in error
