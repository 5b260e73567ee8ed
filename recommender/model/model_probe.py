"""Load a model text with LightGBM in a separate, limited process, and predict with it once.

The pure-Python check (`model_text_check`) rules out the crafted texts we know of; this is the
second line: whatever LightGBM's own parser does with the text happens in a child process with
a cap on its memory (RLIMIT_AS), its CPU time (RLIMIT_CPU) and its wall time. A text that
crashes the child, loops, or asks for too much memory is refused naming what happened, and the
command that asked (import, train, promote) goes on. The child predicts a few rows of our
feature width and the scores must come back finite.

Run as `python -m recommender.model.model_probe N_FEATURES` with the text on stdin; it prints
one JSON line. Only the parent side (`probe_model_text`) is called by the registry.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

from recommender.errors import ModelError

__all__ = ["PROBE_LIMITS", "ProbeLimits", "probe_model_text"]

PROBE_ROWS = 64
_OPTIONAL_IMPORTS = ("pandas", "sklearn", "dask", "matplotlib", "graphviz", "pyarrow", "cffi")


@dataclass(frozen=True)
class ProbeLimits:
    """What the checking process may use. A real model of ours (100 trees of 5 leaves) loads in
    a fraction of a second and well under 400 MB of address space, numpy and LightGBM
    included; a `num_class=1000000000` text would ask for 97 GiB."""

    memory_bytes: int = 1536 << 20
    cpu_seconds: int = 20
    wall_seconds: float = 30.0


PROBE_LIMITS = ProbeLimits()


def probe_model_text(
    text: str, n_features: int, what: str, limits: ProbeLimits = PROBE_LIMITS
) -> dict:
    """Load and predict `text` in a limited child process; its report ({"lightgbm": version,
    "trees": n}) when the scores come back finite, else ModelError naming `what` and why."""
    command = [sys.executable, "-m", __name__, str(n_features), str(limits.memory_bytes)]
    command.append(str(limits.cpu_seconds))
    # One OpenMP thread: the parse and the few rows need no more, and fewer threads reserve
    # less address space under the memory cap.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            command,
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=limits.wall_seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ModelError(
            f"{what}: refused: loading it with LightGBM did not finish within "
            f"{limits.wall_seconds:g} s (a tree that loops?)"
        ) from None
    if done.returncode < 0:
        name = _signal_name(-done.returncode)
        cpu = " (CPU time limit)" if name in ("SIGXCPU", "SIGKILL") else ""
        raise ModelError(f"{what}: refused: LightGBM crashed loading it ({name}{cpu})")
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        raise ModelError(f"{what}: refused: LightGBM could not load it ({last[:300]})")
    try:
        report = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ModelError(f"{what}: refused: the model check gave no answer") from None
    if not isinstance(report, dict) or report.get("finite") is not True:
        raise ModelError(f"{what}: refused: its test prediction was not finite numbers")
    return {"lightgbm": str(report.get("lightgbm")), "trees": int(report.get("trees", 0))}


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _child(n_features: int, memory_bytes: int, cpu_seconds: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    text = sys.stdin.read()
    # LightGBM imports pandas, scikit-learn and dask when they are there; it needs none of them
    # to parse and predict, and without them the check starts in a fraction of the time.
    for optional in _OPTIONAL_IMPORTS:
        sys.modules[optional] = None  # type: ignore[assignment]
    import lightgbm
    import numpy as np

    booster = lightgbm.Booster(model_str=text)
    if booster.num_feature() != n_features:
        raise SystemExit(f"the booster reads {booster.num_feature()} features, not {n_features}")
    rows = np.random.default_rng(0).integers(-1, 5, size=(PROBE_ROWS, n_features))
    rows = np.vstack([np.zeros((1, n_features)), rows]).astype(np.float32)
    scores = np.asarray(booster.predict(rows, num_threads=1), dtype=np.float64)
    finite = bool(np.isfinite(scores).all()) and scores.shape == (len(rows),)
    print(
        json.dumps(
            {"finite": finite, "lightgbm": lightgbm.__version__, "trees": booster.num_trees()}
        )
    )


if __name__ == "__main__":
    _child(*(int(value) for value in sys.argv[1:4]))
