"""Does the position-corrected evaluation find the truth on a simulated shop? Five seeds.

Each seed: 8,000 simulated sessions logged by rules-only with 5% explore, the candidate trained
as `recommender train` does, and the corrected estimate of (candidate minus rules-only) set
against the simulator's truth. Targets from issue 9: the sign right in 5 of 5, the interval
covering the truth in at least 4 of 5, the candidate trusted with a true NDCG@5 at least 1.15x
rules-only, and a shuffled candidate refused every time.

    .venv/bin/python -m benchmarks evaluation_bench
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (0, 1, 2, 3, 4)


def run() -> list[dict]:
    """Rows: the corrected evaluation's estimates against the simulator's truth."""
    sys.path.insert(0, str(ROOT))
    from recommender.shopper.engine import load_engine
    from training.estimator_check import check_seed

    engine = load_engine(ROOT / "catalog")
    rows = explore_cost_rows(engine) + blend_rows(engine)
    checks = [check_seed(engine, seed) for seed in SEEDS]
    for c in checks:
        rows.append(
            _row(
                f"seed {c.seed}: corrected (cand - rules) [interval] vs true",
                f"{c.corrected.mean:+.3f} [{c.corrected.low:+.3f}, {c.corrected.high:+.3f}] "
                f"vs {c.true_difference:+.3f}",
                "snips",
                "covers the true",
            )
        )
        rows.append(
            _row(
                f"seed {c.seed}: uncorrected ndcg@5 (cand - rules) [interval]",
                f"{c.uncorrected.mean:+.3f} [{c.uncorrected.low:+.3f}, {c.uncorrected.high:+.3f}]",
                "biased",
                "",
            )
        )
        rows.append(
            _row(f"seed {c.seed}: true ndcg@5 candidate / rules-only", c.ndcg_ratio, "x", ">= 1.15")
        )
        rows.append(_row(f"seed {c.seed}: effective sample size", c.effective_sample_size, "", ""))
    n = len(checks)
    rows += [
        _row("corrected sign right", sum(c.sign_right for c in checks), f"of {n}", f"{n}"),
        _row("corrected interval covers truth", sum(c.covered for c in checks), f"of {n}", ">= 4"),
        _row(
            "uncorrected interval covers truth",
            sum(c.uncorrected_covered for c in checks),
            f"of {n}",
            "(shows the bias)",
        ),
        _row("candidate trusted (corrected)", sum(c.trusted for c in checks), f"of {n}", f"{n}"),
        _row(
            "shuffled candidate refused",
            sum(not c.shuffled_trusted for c in checks),
            f"of {n}",
            f"{n}",
        ),
    ]
    return rows


def explore_cost_rows(engine) -> list[dict]:
    """What an explore session costs shoppers: true NDCG@5 of its list over the ranked one's,
    on 1,000 fresh shoppers per simulated shop (RECOMMENDER_EXPLORE_TOP_N's default)."""
    import numpy as np

    from training.served import explored_ndcg, fresh_shoppers, served_ndcg
    from training.simulate import ShopperWorld

    rows = []
    for seed in SEEDS[:3]:
        world = ShopperWorld.draw(engine.catalog.products, np.random.default_rng(seed))
        shoppers = fresh_shoppers(1000, seed + 100)
        ranked = served_ndcg(world, engine, shoppers).mean()
        explored = explored_ndcg(world, engine, shoppers, seed=seed).mean()
        rows.append(
            _row(
                f"seed {seed}: explore session's loss of true ndcg@5 vs ranked",
                1.0 - explored / ranked,
                "share",
                "< 0.333",
            )
        )
    return rows


# Five shops per scenario: one shop's logs move the learner's lead over stock LambdaRank by
# several percent, so a single seed says little about a scenario.
BLEND_SEEDS = (1, 2, 3, 4, 5)


def blend_rows(engine) -> list[dict]:
    """The fitted blend, served as `train` + `models promote` leave it, judged by the truth."""
    from training.blend_check import check_blend

    rows = []
    for seed in BLEND_SEEDS:
        for share, new in ((0.05, 0.0), (0.02, 0.0), (0.05, 0.25)):
            c = check_blend(engine, seed, explore_share=share, new_share=new)
            where = f"seed {seed}, {share:.0%} explore" + (f", {new:.0%} new" if new else "")
            rows += [
                _row(f"{where}: fitted model weight", c.fitted_weight, "", ""),
                _row(
                    f"{where}: served / best weight, true ndcg@5", c.within_of_best, "x", ">= 0.98"
                ),
                _row(
                    f"{where}: served / stock lambdarank alone",
                    c.fitted_ratio / c.baseline_alone_ratio,
                    "x",
                    ">= 1.02",
                ),
                _row(
                    f"{where}: served / stock lambdarank blended at 1",
                    c.fitted_ratio / c.baseline_blended_ratio,
                    "x",
                    "",
                ),
                _row(f"{where}: served / rules-only", c.fitted_ratio, "x", "> 1"),
            ]
    return rows


def _row(name: str, value, unit: str, target: str) -> dict:
    value = round(float(value), 3) if isinstance(value, (int, float)) else value
    return {"name": name, "value": value, "unit": unit, "target": target}


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<58} {row['value']!s:>34} {row['unit']:<6} {row['target']}")
