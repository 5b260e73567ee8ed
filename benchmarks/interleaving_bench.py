"""Sessions needed to find a better ranker: team-draft interleaving against an A/B test.

On the simulator's hidden world, two candidates that see the shoppers' taste through noise (a
clearly better one and a subtler one) meet the served rules ranking. For each, the fewest
sessions (all arms together) at which interleaving, and an A/B test of purchase rate, find the
candidate better in 80% of 200 repeated experiments (`training/interleaving_study.py`).

    .venv/bin/python -m benchmarks interleaving_bench
"""

from __future__ import annotations

from pathlib import Path

from recommender.shopper.engine import load_engine
from training.interleaving_study import GRID, build_pool, sessions_needed

ROOT = Path(__file__).resolve().parents[1]
SHOPPERS = 2000
CANDIDATES = (("clearly better", 2.0), ("subtler", 4.0), ("slightly better", 8.0))  # noise on taste


def run() -> list[dict]:
    """Rows: sessions needed to find a better ranker, interleaving against an A/B test."""
    engine = load_engine(ROOT / "catalog")
    rows = []
    for label, noise in CANDIDATES:
        pool = build_pool(engine, SHOPPERS, noise=noise, seed=0)
        served, candidate = pool.true_purchase_rates()
        lift = f"{candidate / served - 1:+.0%} purchases"
        needed = sessions_needed(pool, seed=1)
        for method, name in (("interleaving", "interleaving"), ("ab", "A/B purchase rate")):
            value = needed[method]
            rows.append(
                {
                    "name": f"sessions to find a {label} ranker ({lift}), {name}",
                    "value": float(value) if value is not None else f"> {GRID[-1]:,}",
                    "unit": "sessions",
                    "target": "fewer than A/B" if method == "interleaving" else "",
                }
            )
        ab, interleaving = needed["ab"], needed["interleaving"]
        if ab is not None and interleaving is not None:
            rows.append(
                {
                    "name": f"A/B sessions / interleaving sessions, {label} ranker",
                    "value": ab / interleaving,
                    "unit": "x",
                    "target": "> 1",
                }
            )
    return rows
