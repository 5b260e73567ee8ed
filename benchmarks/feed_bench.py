"""How long `catalog import-feed` takes to read and map a feed at its 20,000-item limit.

The example feeds (136 items) are repeated with fresh ids up to the limit; each row is the
median of a few runs of read + map (no write), per format.

    .venv/bin/python -c "import benchmarks.feed_bench as b; print(*b.run(), sep='\\n')"
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from recommender.feed.build import build_catalog
from recommender.feed.formats import read_feed
from recommender.feed.items import MAX_ITEMS
from recommender.feed.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "feed" / "examples"
REPEATS = 3


def _scaled_tsv(items: int) -> str:
    header, *rows = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").splitlines()
    out, copy = [header], 0
    while len(out) - 1 < items:
        for row in rows[: items - (len(out) - 1)]:
            # Both the variant id and its group get the copy number, so every product is new.
            variant, group, rest = row.split("\t", 2)
            out.append(f"c{copy}-{variant}\tc{copy}-{group}\t{rest}")
        copy += 1
    return "\n".join(out) + "\n"


def _scaled_xml(items: int) -> str:
    text = (EXAMPLES / "merchant-center.xml").read_text(encoding="utf-8")
    head, rest = text.split("<item>", 1)
    body, tail = ("<item>" + rest).rsplit("</channel>", 1)
    blocks = body.split("<item>")[1:]
    out: list[str] = []
    copy = 0
    while len(out) < items:
        for block in blocks[: items - len(out)]:
            out.append(
                "<item>"
                + block.replace("<g:id>", f"<g:id>c{copy}-").replace(
                    "<g:item_group_id>", f"<g:item_group_id>c{copy}-"
                )
            )
        copy += 1
    return head + "".join(out) + "</channel>" + tail


def _time(path: Path) -> tuple[float, int]:
    mapping = load_mapping(ROOT / "catalog" / "feed-mapping.toml")
    times, products = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        built = build_catalog(read_feed(path), mapping, path.name)
        times.append(time.perf_counter() - start)
        products = built.products
    return statistics.median(times), products


def run() -> list[dict]:
    """Rows: feed import time and memory for feeds of growing size."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("tsv", _scaled_tsv(MAX_ITEMS)), ("xml", _scaled_xml(MAX_ITEMS))):
            path = Path(tmp) / f"feed.{name}"
            path.write_text(text, encoding="utf-8")
            seconds, products = _time(path)
            rows.append(
                {
                    "name": f"import-feed read + map, {MAX_ITEMS:,} items ({name}, {products:,} products)",
                    "value": round(seconds, 2),
                    "unit": "s",
                    "target": "< 10",
                }
            )
    return rows
