"""Training time and peak memory at 100k, 300k and 1M feedback events, and how they grow.

Each size runs in a fresh child process (so its peak memory is its own): it loads the events,
builds the dataset and fits the position-corrected re-ranker. The data are simulated once
(a few thousand sessions through the real engine) and repeated with new session ids and times
up to each size. "train time" is building the dataset, splitting it by time and fitting;
"evaluate time" is the held-out comparison `recommender train` prints after it (peak memory
covers both). Target: under 60 s and 2 GB at 1,000,000 events on the 2-core machine.

    .venv/bin/python -m benchmarks training_bench        # prints the table
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SIZES = (100_000, 300_000, 1_000_000)
BASE_SESSIONS = 3000
TARGET_SECONDS = 60.0
TARGET_MB = 1024.0  # issue 21


def run() -> list[dict]:
    """Rows of name, value, unit, target for `make bench`."""
    rows: list[dict] = []
    timings: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        base = _base_feedback()
        for size in SIZES:
            path = Path(folder) / f"feedback-{size}"
            _save(_grow(base, size), path)
            result = _child(path)
            timings.append((size, result["seconds"]))
            target_s = f"< {TARGET_SECONDS:g} s" if size == SIZES[-1] else ""
            target_mb = f"< {TARGET_MB:g} MB" if size == SIZES[-1] else ""
            rows.append(_row(f"train time, {size:,} events", result["seconds"], "s", target_s))
            rows.append(
                _row(f"evaluate time, {size:,} events", result["evaluate_seconds"], "s", "")
            )
            rows.append(
                _row(f"train peak memory, {size:,} events", result["peak_mb"], "MB", target_mb)
            )
            rows.append(_row(f"train rows, {size:,} events", result["rows"], "rows", ""))
    (small, t_small), (large, t_large) = timings[0], timings[-1]
    growth = math.log(t_large / t_small) / math.log(large / small)
    rows.append(_row("train time growth exponent (1 = linear)", growth, "", "<= 1.2"))
    return rows


def _row(name: str, value: float, unit: str, target: str) -> dict:
    return {"name": name, "value": round(float(value), 3), "unit": unit, "target": target}


def _base_feedback() -> tuple[pd.DataFrame, pd.DataFrame]:
    sys.path.insert(0, str(ROOT))
    from recommender.shopper.engine import load_engine
    from training.simulate import simulate

    feedback = simulate(load_engine(ROOT / "catalog"), BASE_SESSIONS, seed=11, explore_share=0.2)
    return feedback.sessions, feedback.events


def _grow(base: tuple[pd.DataFrame, pd.DataFrame], n_events: int):
    """Copies of the base feedback, each with new session ids and later times, to n_events."""
    sessions, events = base
    copies = math.ceil(n_events / len(events))
    span = sessions["created_at"].max() - sessions["created_at"].min() + pd.Timedelta(hours=1)
    all_sessions, all_events = [], []
    for copy in range(copies):
        suffix = f"-c{copy}"
        all_sessions.append(
            sessions.assign(
                session_id=sessions["session_id"] + suffix,
                created_at=sessions["created_at"] + copy * span,
            )
        )
        all_events.append(
            events.assign(session_id=events["session_id"] + suffix, ts=events["ts"] + copy * span)
        )
    events_out = pd.concat(all_events, ignore_index=True).head(n_events)
    sessions_out = pd.concat(all_sessions, ignore_index=True)
    kept = sessions_out["session_id"].isin(events_out["session_id"].unique())
    return sessions_out.loc[kept].reset_index(drop=True), events_out


def _save(feedback: tuple[pd.DataFrame, pd.DataFrame], path: Path) -> None:
    # Parquet, not pickle: nothing in this repository reads a pickle. Answers go as JSON text.
    sessions, events = feedback
    texts = [json.dumps(a.to_record(), sort_keys=True) for a in sessions["answers"]]
    sessions.assign(answers=texts).to_parquet(f"{path}-sessions.parquet")
    events.to_parquet(f"{path}-events.parquet")


def _load(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from recommender.shopper.answers import parse_answers

    sessions = pd.read_parquet(f"{path}-sessions.parquet")
    events = pd.read_parquet(f"{path}-events.parquet")
    parsed: dict[str, object] = {}  # the copies repeat a few thousand distinct answers
    answers = []
    for text in sessions["answers"]:
        if text not in parsed:
            parsed[text] = parse_answers(json.loads(text), allow_derived=True)
        answers.append(parsed[text])
    return sessions.assign(answers=answers), events


def _child(path: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _train_once(path: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from recommender.model.learned import LearnedReranker
    from recommender.shopper.engine import load_engine
    from training.blend import DEFAULT_GRID
    from training.model import fit_ranker
    from training.pipeline import blend_fit, compare, prepare_frames

    engine = load_engine(ROOT / "catalog")
    frames = _load(path)
    start = time.perf_counter()
    prepared = prepare_frames(engine, *frames)
    del frames  # as `train` does: the raw events are not kept once the dataset is built
    model = fit_ranker(prepared.train, seed=0)
    fitted = time.perf_counter()
    candidate = LearnedReranker("candidate", model)
    compare(prepared, candidate, None, seed=0)
    blend_fit(prepared, candidate, DEFAULT_GRID, 0)  # `train` fits the model's weight too
    evaluated = time.perf_counter()
    peak_mb = _own_peak_mb()
    return {
        "seconds": fitted - start,
        "evaluate_seconds": evaluated - fitted,
        "peak_mb": peak_mb,
        "rows": len(prepared.train),
    }


def _own_peak_mb() -> float:
    """This process's own peak memory. `ru_maxrss` is kept across exec, so a child started by
    a parent holding a million generated events would report the parent's size; the kernel's
    high-water mark of this process's own memory (VmHWM, Linux) is reset at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_train_once(Path(sys.argv[2]))))
    else:
        for row in run():
            print(f"{row['name']:<45} {row['value']:>12} {row['unit']:<5} {row['target']}")
