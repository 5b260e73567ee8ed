"""Run every `benchmarks/*_bench.py` module's `run()` and print one table of their rows.

Each row is a dict with name, value, unit and target (a short text such as "< 5 ms").
Benchmarks never fail the build: they measure and print, and a reader compares with targets.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    """Run the benchmarks named on the command line (all when none) and print their table."""
    package = Path(__file__).parent
    rows: list[dict] = []
    only = set(sys.argv[1:])
    for module in sorted(m.name for m in pkgutil.iter_modules([str(package)])):
        if not module.endswith("_bench") or (only and module not in only):
            continue
        started = time.perf_counter()
        print(f"running {module} ...", file=sys.stderr, flush=True)
        rows += [
            {"module": module, **row}
            for row in importlib.import_module(f"benchmarks.{module}").run()
        ]
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    print_table(rows)
    return 0


def print_table(rows: list[dict]) -> None:
    """Print `rows` as one aligned table: module, name, value, unit, target."""
    header = ("module", "name", "value", "unit", "target")
    cells = [[_cell(row.get(key, "")) for key in header] for row in rows]
    widths = [
        max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)
    ]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in cells:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
