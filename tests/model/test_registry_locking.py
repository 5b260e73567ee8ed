"""Promote and rollback from two processes at once: neither change is lost, and a reader never
sees half of `registry.json`."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from recommender.model import registry
from recommender.model.promotion import read_state

SEEDED = 30  # earlier promotions already in the history, so rollbacks always have one to undo
PROMOTIONS = 40
READS = 300


def _register(models_dir: Path, model_id: str) -> None:
    folder = models_dir / model_id
    folder.mkdir(parents=True)
    (folder / registry.CARD_FILE).write_text(json.dumps({"id": model_id}), encoding="utf-8")


def _promote_all(models_dir: Path, prefix: str) -> None:
    for n in range(PROMOTIONS):
        registry.set_promoted(models_dir, f"{prefix}{n}")


def _promote_and_roll_back(models_dir: Path, prefix: str) -> None:
    for n in range(PROMOTIONS // 2):
        registry.set_promoted(models_dir, f"{prefix}{n}")
        registry.rollback(models_dir)


def _read_all_the_time(models_dir: Path, torn: multiprocessing.Queue) -> None:
    for _ in range(READS):
        try:
            read_state(models_dir)
        except Exception as error:  # a torn file reads as a ModelError
            torn.put(str(error))
            return


def test_two_analysts_promoting_and_rolling_back_at_once_lose_no_change(tmp_path):
    models_dir = tmp_path / "models"
    for n in range(SEEDED):
        _register(models_dir, f"seed{n}")
        registry.set_promoted(models_dir, f"seed{n}")
    for n in range(PROMOTIONS):
        _register(models_dir, f"a{n}")
        _register(models_dir, f"b{n}")
    before = len(read_state(models_dir)["history"])

    context = multiprocessing.get_context("fork")
    torn = context.Queue()
    workers = [
        context.Process(target=_promote_all, args=(models_dir, "a")),
        context.Process(target=_promote_and_roll_back, args=(models_dir, "b")),
        context.Process(target=_read_all_the_time, args=(models_dir, torn)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0, 0]

    state = read_state(models_dir)
    # Each promotion adds one entry to the history and each rollback takes one off: a lost
    # update would leave the history short.
    assert len(state["history"]) == before + PROMOTIONS
    assert torn.empty()
    assert sorted(p.name for p in models_dir.glob(".registry.json*")) == []
