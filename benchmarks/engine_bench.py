"""Engine speed: one recommendation in-process, a 10,000-line batch end to end, and how scoring
time grows with the catalog (40, 400 and 4,000 products)."""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from recommender.catalog.products import PRODUCTS_FILE, load_catalog
from recommender.shopper.answers import CHOICES, LIST_CHOICES, parse_answers
from recommender.shopper.engine import build_engine, load_engine

CATALOG_DIR = Path(__file__).resolve().parents[1] / "catalog"


def sample_answers(count: int, seed: int = 7) -> list[dict]:
    """Plausible shoppers without red flags, so every one goes through scoring."""
    rng = random.Random(seed)
    lists = {k: v for k, v in LIST_CHOICES.items() if k != "red_flags"}
    shoppers = []
    for _ in range(count):
        raw: dict[str, Any] = {
            name: rng.choice(values) for name, values in CHOICES.items() if name != "age_band"
        }
        raw.update({name: rng.sample(values, rng.randint(0, 3)) for name, values in lists.items()})
        raw["sitting_hours"] = rng.randint(0, 12)
        shoppers.append(raw)
    return shoppers


def median_ms(engine, answers, repeat: int) -> float:
    """The median milliseconds of `engine.recommend` over `answers`, `repeat` times each."""
    timings = []
    for index in range(repeat):
        started = time.perf_counter()
        engine.recommend(answers[index % len(answers)], 5)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def scaled_catalog(size: int, directory: Path) -> Path:
    """The bundled products repeated (with new SKUs) up to `size` rows."""
    base = pd.read_csv(CATALOG_DIR / PRODUCTS_FILE, dtype=str, keep_default_na=False)
    copies = [base.assign(sku=base["sku"] + f"-{n}") for n in range(-(-size // len(base)))]
    pd.concat(copies).head(size).to_csv(directory / PRODUCTS_FILE, index=False)
    return directory


def batch_seconds(count: int, *flags: str) -> tuple[float, float]:
    """`recommender recommend --batch` end to end, start-up included, as a script would run it.

    Returns wall-clock and CPU seconds: on a shared machine the wall clock also counts time the
    command waited for a core, and the CPU time shows how much of it was its own work.
    """
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("\n".join(json.dumps(a) for a in sample_answers(count)) + "\n")
        models = Path(tmp) / "models"  # empty: the command looks for a promoted model, finds none
        env = {
            **os.environ,
            "RECOMMENDER_CATALOG": str(CATALOG_DIR),
            "RECOMMENDER_MODELS": str(models),
        }
        command = [sys.executable, "-m", "recommender_cli.main", "recommend", *flags]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([*command, "--batch", str(source), "--out", str(out)], check=True, env=env)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu


def batch_rows(count: int, label: str, *flags: str) -> list[dict]:
    """Rows: wall and CPU seconds of `recommend --batch` on `count` answers."""
    wall, cpu = batch_seconds(count, *flags)
    name = f"batch of {count:,} answers via CLI, {label}"
    return [
        {"name": name, "value": wall, "unit": "s", "target": "< 10"},
        {"name": "  the same, CPU time of the command", "value": cpu, "unit": "s", "target": ""},
    ]


def run() -> list[dict]:
    """Rows: one recommendation, growth with catalog size, load and batch throughput."""
    answers = [parse_answers(raw) for raw in sample_answers(500)]
    engine = load_engine(CATALOG_DIR)
    median_ms(engine, answers, 200)  # warm-up
    rows = [
        {
            "name": f"one recommendation, {len(engine.catalog.skus)} products (median)",
            "value": median_ms(engine, answers, 2000),
            "unit": "ms",
            "target": "< 5",
        },
        *batch_rows(10_000, "--rules-only", "--rules-only"),
        *batch_rows(10_000, "no model promoted"),
    ]
    for size in (40, 400, 4000):
        with tempfile.TemporaryDirectory() as tmp:
            catalog = load_catalog(scaled_catalog(size, Path(tmp)))
        scaled = build_engine(catalog, engine.weights.__class__())
        rows.append(
            {
                "name": f"one recommendation, {size} products (median)",
                "value": median_ms(scaled, answers, 500),
                "unit": "ms",
                "target": "~linear in size",
            }
        )
    return rows
