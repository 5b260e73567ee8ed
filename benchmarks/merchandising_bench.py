"""How long a merchandiser waits for a what-if preview, and what loading the engine costs.

A preview is what the merchandising page does on "Preview": check the edited weights and stock
(`weights_store.propose`), build the current and the proposed engine, and run every saved
persona under both (`whatif.compare`). Each value is the median of a few repeats in this process
(after the first call, so the one-off imports are not counted), in CPU time of this process, so
other work on a shared machine does not blur the comparison.

    .venv/bin/python -m benchmarks merchandising_bench
"""

from __future__ import annotations

import statistics
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog"
REPEATS = 15


def _median_ms(work: Callable[[], object], repeats: int = REPEATS) -> float:
    work()  # warm up: imports and first-call costs are not what a merchandiser waits for
    times = []
    for _ in range(repeats):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def _preview() -> Callable[[], object]:
    from recommender.merchandising.personas import load_personas
    from recommender.merchandising.proposals import current_state, propose
    from recommender.merchandising.whatif import compare
    from recommender.shopper.engine import build_engine, load_engine

    state = current_state(CATALOG)
    current = load_engine(CATALOG)
    personas = load_personas(CATALOG, current.catalog.skus)
    data = tomllib.loads(state.weights_text)
    data.setdefault("blend", {})["boost"] = 0.6  # one knob moved, as a merchandiser would

    def once() -> object:
        proposal = propose(state, data, {})
        proposed = build_engine(proposal.catalog, proposal.weights)
        return compare(build_engine(current.catalog, current.weights), proposed, personas)

    return once


def run() -> list[dict]:
    """Rows: engine load and what-if preview time."""
    from recommender.shopper.engine import load_engine

    return [
        {
            "name": "load_engine, bundled catalog (median)",
            "value": _median_ms(lambda: load_engine(CATALOG)),
            "unit": "CPU ms",
            "target": "< 50",
        },
        {
            "name": "what-if preview, one knob, 26 personas (median)",
            "value": _median_ms(_preview()),
            "unit": "CPU ms",
            "target": "< 150",
        },
    ]
