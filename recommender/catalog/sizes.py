"""Sizes (SPEC sections 1, 4 and 8): which size of a product fits the shopper's measurements.

`catalog/sizes.csv` is optional: `sku`, `size`, `measure`, `min`, `max` (inclusive). A product
listed there comes in those sizes; any other product comes in one size. For each shown product
the engine asks `SizeChart.fit`: no answer (one size, or no measurement the product needs), the
size that fits (with a note between two sizes or at the edge of one), or why none fits, which
holds the product back like a caution does.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from recommender.catalog.reading import decode_csv, read_catalog_file
from recommender.errors import CatalogError, Problems
from recommender.shopper.answers import MEASUREMENT_RANGES

SIZES_FILE = "sizes.csv"
SIZE_COLUMNS = ("sku", "size", "measure", "min", "max")
MEASURES = tuple(MEASUREMENT_RANGES)
# Sizes files are a few hundred rows; the caps stop a stray huge file before it is parsed.
MAX_SIZES_BYTES = 1024 * 1024
MAX_SIZE_ROWS = 20_000
MAX_SIZE_NAME = 20
# How the card names a measurement, and its unit after a number.
MEASURE_WORDS = {
    "knee_cm": "knee",
    "thigh_cm": "thigh",
    "calf_cm": "calf",
    "waist_cm": "waist",
    "shoe_eu": "shoe size",
}
# Within this distance of a size's limit the shopper is told they are at its edge.
EDGE_MARGIN = {"shoe_eu": 0.5}
DEFAULT_EDGE_MARGIN = 1.0  # cm


@dataclass(frozen=True, slots=True)
class SizeRange:
    """One size of one product: the range of a measurement it fits, both ends inclusive."""

    sku: str
    size: str
    measure: str
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class SizeFit:
    """The size that fits; `note` says when the shopper is between sizes or at an edge."""

    size: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NoSizeFits:
    """No size of the product fits a measurement the shopper gave; `why` says which and lists
    the sizes there are."""

    why: str


@dataclass(frozen=True)
class SizeChart:
    """Every product's sizes, by SKU then measure, each measure's sizes from small to large."""

    ranges: tuple[SizeRange, ...] = ()
    _by_sku: dict[str, dict[str, list[SizeRange]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_sku: dict[str, dict[str, list[SizeRange]]] = {}
        for size in sorted(self.ranges, key=lambda r: (r.low, r.high)):
            by_sku.setdefault(size.sku, {}).setdefault(size.measure, []).append(size)
        object.__setattr__(self, "_by_sku", by_sku)

    @property
    def sized_skus(self) -> frozenset[str]:
        """The skus that come in sizes (the rest are one size)."""
        return frozenset(self._by_sku)

    def sizes_of(self, sku: str) -> tuple[str, ...]:
        """The product's size names, small to large (empty: it comes in one size)."""
        names = [r.size for ranges in self._by_sku.get(sku, {}).values() for r in ranges]
        return tuple(dict.fromkeys(names))

    def fit(self, sku: str, measurements: Mapping[str, float]) -> SizeFit | NoSizeFits | None:
        """The size of `sku` for these measurements: None when the product comes in one size or
        the shopper gave no measurement it is sized by."""
        fits: list[SizeFit] = []
        for measure in MEASURES:  # a fixed order, so a product sized two ways reads the same
            ranges = self._by_sku.get(sku, {}).get(measure)
            if not ranges or measure not in measurements:
                continue
            found = _fit_one(ranges, measure, measurements[measure])
            if isinstance(found, NoSizeFits):
                return found
            fits.append(found)
        return fits[0] if fits else None


EMPTY_CHART = SizeChart()


def measure_text(measure: str, value: float) -> str:
    """`('knee_cm', 36)` -> '36 cm knee'; `('shoe_eu', 42)` -> 'EU 42 shoe size'."""
    if measure == "shoe_eu":
        return f"EU {value:g} shoe size"
    return f"{value:g} cm {MEASURE_WORDS[measure]}"


def _range_text(size: SizeRange) -> str:
    if size.measure == "shoe_eu":
        return f"{size.size} (EU {size.low:g} to {size.high:g})"
    return f"{size.size} ({size.low:g} to {size.high:g} cm)"


def _fit_one(ranges: list[SizeRange], measure: str, value: float) -> SizeFit | NoSizeFits:
    margin = EDGE_MARGIN.get(measure, DEFAULT_EDGE_MARGIN)
    yours = measure_text(measure, value)
    for place, size in enumerate(ranges):
        if size.low <= value <= size.high:
            return SizeFit(size.size, _edge_note(ranges, place, value, margin, yours))
        nxt = ranges[place + 1] if place + 1 < len(ranges) else None
        if nxt is not None and size.high < value < nxt.low:
            return SizeFit(
                nxt.size,
                f"Your {yours} falls between {size.size} and {nxt.size}: {nxt.size} is the "
                f"roomier fit, {size.size} holds more firmly.",
            )
    listed = ", ".join(_range_text(r) for r in ranges)
    return NoSizeFits(f"held back: no size fits your {yours} (sizes: {listed})")


def _edge_note(
    ranges: list[SizeRange], place: int, value: float, margin: float, yours: str
) -> str | None:
    size = ranges[place]
    if size.high - size.low < 2 * margin:
        return None  # a narrow size: every value would be "at its edge"
    if value >= size.high - margin:
        bigger = ranges[place + 1].size if place + 1 < len(ranges) else None
        after = f"; if it feels tight, try {bigger}" if bigger else ", the largest size"
        return f"Your {yours} is at the top of size {size.size}{after}."
    if value <= size.low + margin:
        smaller = ranges[place - 1].size if place > 0 else None
        after = f"; if it feels loose, try {smaller}" if smaller else ", the smallest size"
        return f"Your {yours} is at the bottom of size {size.size}{after}."
    return None


def read_sizes(directory: Path, skus: Iterable[str], problems: Problems) -> SizeChart:
    """The size chart in `directory` (empty when there is no sizes.csv); every problem goes to
    `problems`, naming the file, the row (the header is row 1) and the column."""
    path = Path(directory) / SIZES_FILE
    if not path.exists():
        return EMPTY_CHART
    if not path.is_file():
        problems.add(f"{SIZES_FILE}: is not a file ({path})")
        return EMPTY_CHART
    try:
        text = decode_csv(read_catalog_file(path, MAX_SIZES_BYTES), SIZES_FILE)
    except CatalogError as error:
        problems.extend(error.problems)
        return EMPTY_CHART
    return parse_sizes(text, skus, problems)


def parse_sizes(text: str, skus: Iterable[str], problems: Problems) -> SizeChart:
    """The size chart a sizes.csv's text gives; every problem goes to `problems`."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        columns = reader.fieldnames or []
        missing = [c for c in SIZE_COLUMNS if c not in columns]
        if missing:
            problems.extend(f"{SIZES_FILE}: missing column '{c}'" for c in missing)
            return EMPTY_CHART
        return _parse(enumerate(reader, start=2), set(skus), problems)
    except csv.Error as error:
        problems.at(SIZES_FILE, reader.line_num, "", f"not readable as CSV ({error})")
        return EMPTY_CHART


def _parse(records: Iterable[tuple[int, dict]], skus: set[str], problems: Problems) -> SizeChart:
    found = Problems()  # kept apart: a broken cell further down voids them
    kept: list[tuple[int, SizeRange]] = []
    for line, record in records:
        if line - 1 > MAX_SIZE_ROWS:
            found.add(f"{SIZES_FILE}: more than {MAX_SIZE_ROWS:,} rows")
            break
        size, row_problems = _parse_row(record, skus)
        for column, message in row_problems:
            found.at(SIZES_FILE, line, column, message)
        if size is not None:
            kept.append((line, size))
    found.extend(_overlaps(kept))
    problems.extend(found.shown)
    return EMPTY_CHART if found else SizeChart(tuple(size for _, size in kept))


def _parse_row(record: dict, skus: set[str]) -> tuple[SizeRange | None, list[tuple[str, str]]]:
    if None in record:  # csv puts surplus cells under the key None
        return None, [("(row)", "has more cells than the header")]
    cells = {c: (record.get(c) or "").strip() for c in SIZE_COLUMNS}
    problems: list[tuple[str, str]] = []
    if not cells["sku"]:
        problems.append(("sku", "is empty"))
    elif cells["sku"] not in skus:
        problems.append(("sku", f"'{cells['sku'][:40]}' is not a product in products.csv"))
    if not cells["size"]:
        problems.append(("size", "is empty"))
    elif len(cells["size"]) > MAX_SIZE_NAME:
        problems.append(("size", f"is longer than {MAX_SIZE_NAME} characters"))
    if cells["measure"] not in MEASURES:
        problems.append(
            ("measure", f"'{cells['measure'][:40]}' is not one of {', '.join(MEASURES)}")
        )
    low = _number("min", cells["min"], problems)
    high = _number("max", cells["max"], problems)
    if low is not None and high is not None and low > high:
        problems.append(("max", f"{high:g} is below min {low:g}"))
    if problems or low is None or high is None:
        return None, problems
    return SizeRange(cells["sku"], cells["size"], cells["measure"], low, high), []


def _number(column: str, text: str, problems: list[tuple[str, str]]) -> float | None:
    try:
        value = float(text)
    except ValueError:
        problems.append((column, f"'{text[:40]}' is not a number"))
        return None
    if not math.isfinite(value) or value <= 0:
        problems.append((column, f"{text[:40]} must be a number above 0"))
        return None
    return value


def _overlaps(kept: list[tuple[int, SizeRange]]) -> list[str]:
    """Two sizes of one product whose ranges share a value for the same measure."""
    problems = []
    groups: dict[tuple[str, str], list[tuple[int, SizeRange]]] = {}
    for line, size in kept:
        groups.setdefault((size.sku, size.measure), []).append((line, size))
    for (sku, measure), rows in groups.items():
        names: dict[str, int] = {}
        for line, size in rows:
            if size.size in names:
                problems.append(
                    f"{SIZES_FILE} row {line}, column 'size': '{size.size}' of {sku} by "
                    f"{measure} repeats row {names[size.size]}"
                )
            names.setdefault(size.size, line)
        ordered = sorted(rows, key=lambda row: (row[1].low, row[1].high))
        for (line_a, a), (line_b, b) in pairwise(ordered):
            if b.low <= a.high:
                problems.append(
                    f"{SIZES_FILE} row {line_b}, column 'min': {sku} size {b.size} "
                    f"({b.low:g} to {b.high:g}) overlaps size {a.size} ({a.low:g} to "
                    f"{a.high:g}, row {line_a}) for {measure}"
                )
    return problems
