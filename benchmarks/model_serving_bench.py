"""Serving with a promoted model: `recommend --batch` throughput against rules-only, and the ratio.

A LambdaRank model is fitted on simulated feedback, saved in a fresh registry (through the real
`registry.save_model`, so it is verified and parsed like any promoted model) and promoted; the
same answers then go through the CLI twice, once `--rules-only` and once with the model. Target
(issue 21): with a model at least 0.8 of the rules-only throughput. The batch asks the model
once per 256 answers (`Engine.recommend_many`), with the catalog's feature rows built once,
and the model is read through LightGBM's C library (`recommender.model.booster_library`), so the
start does not pay for importing scikit-learn and SciPy.

    .venv/bin/python -m benchmarks model_serving_bench        # prints the rows
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.engine_bench import CATALOG_DIR, sample_answers

ANSWERS = 10_000
TRAIN_SESSIONS = 3000
TARGET_RATIO = 0.8


def run() -> list[dict]:
    """Rows: `recommend --batch` throughput with a promoted model against rules-only."""
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        _promote_a_model(models)
        source = Path(tmp) / "in.jsonl"
        source.write_text("\n".join(json.dumps(a) for a in sample_answers(ANSWERS)) + "\n")
        rules_only = ANSWERS / _batch_seconds(source, models, "--rules-only")
        with_model = ANSWERS / _batch_seconds(source, models)
    label = f"{ANSWERS:,} answers via CLI"
    return [
        _row(f"batch throughput, rules-only, {label}", rules_only, "answers/s", ""),
        _row(f"batch throughput, promoted model, {label}", with_model, "answers/s", ""),
        _row(
            "batch throughput, model / rules-only",
            with_model / rules_only,
            "ratio",
            f">= {TARGET_RATIO}",
        ),
    ]


def _row(name: str, value: float, unit: str, target: str) -> dict:
    return {"name": name, "value": round(float(value), 3), "unit": unit, "target": target}


def _promote_a_model(models: Path) -> str:
    from recommender.model import registry
    from recommender.shopper.engine import load_engine
    from training.model import fit_ranker
    from training.pipeline import prepare_frames
    from training.simulate import simulate

    engine = load_engine(CATALOG_DIR)
    feedback = simulate(engine, TRAIN_SESSIONS, seed=5, explore_share=0.2)
    prepared = prepare_frames(engine, feedback.sessions, feedback.events)
    estimator = fit_ranker(prepared.train, seed=0)
    # Trusted by fiat and not marked synthetic: this measures speed, not whether to serve it.
    card = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "trust": {"trusted": True, "reason": "benchmark", "rule": ""},
    }
    saved = registry.save_model(models, estimator, card)
    registry.set_promoted(models, saved.model_id)
    return saved.model_id


def _batch_seconds(source: Path, models: Path, *flags: str) -> float:
    out = source.with_suffix(".out.jsonl")
    env = {**os.environ, "RECOMMENDER_CATALOG": str(CATALOG_DIR), "RECOMMENDER_MODELS": str(models)}
    command = [sys.executable, "-m", "recommender_cli.main", "recommend", *flags]
    started = time.perf_counter()
    subprocess.run([*command, "--batch", str(source), "--out", str(out)], check=True, env=env)
    seconds = time.perf_counter() - started
    first = json.loads(out.read_text().splitlines()[0])
    expected = "rules-only" if flags else "m"
    if not first.get("model_version", "").startswith(expected):
        raise RuntimeError(f"the batch ran with {first.get('model_version')}, not {expected}")
    return seconds


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<55} {row['value']:>12} {row['unit']:<9} {row['target']}")
