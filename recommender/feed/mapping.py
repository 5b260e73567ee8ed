"""MAP.toml: how a shop's feed maps onto our catalog, checked key by key like weights.toml.

    schema_version = 1
    currency = "GBP"                    # the shop's currency; a price in any other is refused
    shop_url = "https://shop.example"   # optional; Shopify pages are <shop_url>/products/<handle>
    [types."<feed product_type>"]       # category (required), tags, safety, size_chart
    [size_charts.<name>]                # measure = "knee_cm"; sizes = { S = [30, 34], ... }
    [skus."<product sku>"]              # the same keys (and name), for one product; wins

A product type matches the feed's product_type exactly or as a leading part of its path
("Supports > Knee" matches "Supports > Knee > Sleeves"); the longest match wins.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from recommender.catalog.products import AREAS, CATEGORIES, FITS, SAFETY_PROPERTIES, SUPPORT_LEVELS
from recommender.errors import CatalogError, Problems
from recommender.feed.items import read_feed_file

SCHEMA_VERSION = 1
MAX_MAPPING_BYTES = 1024 * 1024
MEASURES = ("knee_cm", "thigh_cm", "calf_cm", "waist_cm", "shoe_eu")
TOP_KEYS = ("schema_version", "currency", "shop_url", "types", "size_charts", "skus")
_WORD = re.compile(r"^[a-z][a-z0-9_]*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_TAG_WORDS: dict[str, tuple[str, ...] | None] = {
    "areas": AREAS,
    "fits": FITS,
    "features": None,  # the shop's own feature words; one word each, lower case
}


@dataclass(frozen=True)
class ProductFields:
    """What a type or a single SKU sets; None (or empty) means "not set here"."""

    category: str | None = None
    name: str | None = None
    support_level: str | None = None
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    safety: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    size_chart: str | None = None


@dataclass(frozen=True)
class SizeChart:
    """A size chart of the mapping: the measurement and each size label's range."""

    measure: str
    sizes: Mapping[str, tuple[float, float]]  # label as written in the chart -> (min, max)

    def find(self, label: str) -> str | None:
        """The chart's spelling of `label`, matched without regard to case or spaces."""
        wanted = label.strip().lower()
        return next((key for key in self.sizes if key.strip().lower() == wanted), None)


@dataclass(frozen=True)
class FeedMapping:
    """The feed mapping, checked: currency, types, per-product fields and size charts."""

    currency: str
    shop_url: str
    types: Mapping[str, ProductFields]
    size_charts: Mapping[str, SizeChart]
    skus: Mapping[str, ProductFields]

    def type_for(self, product_type: str) -> ProductFields | None:
        """The most specific type entry matching `product_type`, or None when none does."""
        parts = [p.strip() for p in product_type.split(">")]
        for end in range(len(parts), 0, -1):
            found = self._by_path.get(tuple(parts[:end]))
            if found is not None:
                return found
        return None

    @cached_property
    def _by_path(self) -> dict[tuple[str, ...], ProductFields]:
        return {tuple(p.strip() for p in key.split(">")): v for key, v in self.types.items()}


def load_mapping(path: Path) -> FeedMapping:
    """Read and check MAP.toml; `CatalogError` (exit 2) lists every problem with its key."""
    path = Path(path)
    raw = read_feed_file(path, MAX_MAPPING_BYTES, "TOML")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogError([f"{path.name}: not valid TOML ({error})"]) from None
    except RecursionError:
        raise CatalogError([f"{path.name}: not valid TOML (nested too deeply)"]) from None
    return parse_mapping(data, path.name)


def parse_mapping(data: Mapping[str, Any], name: str) -> FeedMapping:
    """A checked FeedMapping from decoded TOML; CatalogError listing every problem."""
    problems = Problems()
    for key in data:
        if key not in TOP_KEYS:
            problems.add(f"{name}: unknown key '{key}'")
    version = data.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:
        problems.add(f"{name} schema_version: must be {SCHEMA_VERSION}, got {version!r}")
    currency = data.get("currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        problems.add(
            f"{name} currency: must be the shop's three-letter currency code "
            f'such as "GBP", got {currency!r}'
        )
    shop_url = data.get("shop_url", "")
    if not isinstance(shop_url, str) or (shop_url and not _is_web_address(shop_url)):
        problems.add(f"{name} shop_url: must be an http:// or https:// address")
    charts = {
        chart: _chart(spec, f"{name} [size_charts.{chart}]", problems)
        for chart, spec in _table(data, "size_charts", name, problems).items()
    }
    types = {
        key: _fields(spec, f'{name} [types."{key}"]', set(charts), problems, kind="type")
        for key, spec in _table(data, "types", name, problems).items()
    }
    skus = {
        key: _fields(spec, f'{name} [skus."{key}"]', set(charts), problems, kind="sku")
        for key, spec in _table(data, "skus", name, problems).items()
    }
    if not types and not problems:
        problems.add(f"{name} [types]: maps no product types")
    problems.raise_if_any()
    return FeedMapping(
        currency=str(currency),
        shop_url=str(shop_url).rstrip("/"),
        types=MappingProxyType(types),
        size_charts=MappingProxyType({k: v for k, v in charts.items() if v is not None}),
        skus=MappingProxyType(skus),
    )


def _is_web_address(text: str) -> bool:
    return text.startswith(("https://", "http://")) and len(text) > len("https://")


def _table(data: Mapping[str, Any], key: str, where: str, problems: Problems) -> Mapping:
    table = data.get(key, {})
    if not isinstance(table, Mapping):
        problems.add(f"{where} {key}: must be a table")
        return {}
    for inner, value in table.items():
        if not isinstance(value, Mapping):
            problems.add(f"{where} [{key}] {inner}: must be a table")
    return {k: v for k, v in table.items() if isinstance(v, Mapping)}


_FIELD_KEYS = {"category", "support_level", "size_chart", *_TAG_WORDS, *SAFETY_PROPERTIES}


def _fields(
    spec: Mapping[str, Any], where: str, charts: set[str], problems: Problems, kind: str
) -> ProductFields:
    allowed = _FIELD_KEYS | ({"name"} if kind == "sku" else set())
    for key in spec:
        if key not in allowed:
            problems.add(f"{where}: unknown key '{key}'")
    category = _choice(spec, "category", CATEGORIES, where, problems)
    if kind == "type" and "category" not in spec:
        problems.add(f"{where} category: missing; every product type needs a category")
    support = _choice(spec, "support_level", SUPPORT_LEVELS, where, problems)
    tags = {}
    for key, allowed_words in _TAG_WORDS.items():
        if key in spec:
            tags[key] = _words(spec[key], allowed_words, f"{where} {key}", problems)
    safety = {}
    for key in SAFETY_PROPERTIES:
        if key in spec:
            if isinstance(spec[key], bool):
                safety[key] = spec[key]
            else:
                problems.add(f"{where} {key}: must be true or false, got {spec[key]!r}")
    chart = spec.get("size_chart")
    if chart is not None and (not isinstance(chart, str) or chart not in charts):
        problems.add(f"{where} size_chart: {chart!r} is not a chart under [size_charts]")
    name = spec.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        problems.add(f"{where} name: must be a non-empty string")
    return ProductFields(
        category=category,
        name=name if isinstance(name, str) else None,
        support_level=support,
        tags=MappingProxyType(tags),
        safety=MappingProxyType(safety),
        size_chart=chart if isinstance(chart, str) else None,
    )


def _choice(
    spec: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str, problems: Problems
) -> str | None:
    if key not in spec:
        return None
    value = spec[key]
    if not isinstance(value, str) or value not in allowed:
        problems.add(f"{where} {key}: {value!r} is not one of {', '.join(allowed)}")
        return None
    return value


def _words(
    value: Any, allowed: tuple[str, ...] | None, where: str, problems: Problems
) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(f"{where}: must be a list of words, got {value!r}")
        return ()
    for word in value:
        if allowed is not None and word not in allowed:
            problems.add(f"{where}: '{word}' is not one of {', '.join(allowed)}")
        elif allowed is None and not _WORD.match(word):
            problems.add(f"{where}: '{word}' must be one lower-case word (a-z, 0-9, _)")
    return tuple(value)


def _chart(spec: Mapping[str, Any], where: str, problems: Problems) -> SizeChart | None:
    count = problems.total
    for key in spec:
        if key not in {"measure", "sizes"}:
            problems.add(f"{where}: unknown key '{key}'")
    measure = spec.get("measure")
    if measure not in MEASURES:
        problems.add(f"{where} measure: {measure!r} is not one of {', '.join(MEASURES)}")
    sizes = spec.get("sizes")
    if not isinstance(sizes, Mapping) or not sizes:
        problems.add(f"{where} sizes: must be a table of size = [min, max]")
        return None
    ranges: dict[str, tuple[float, float]] = {}
    for label, bounds in sizes.items():
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(_is_number(b) for b in bounds)
            or not 0 < bounds[0] <= bounds[1]
        ):
            problems.add(
                f"{where} sizes.{label}: must be [min, max], two numbers above 0, min <= max"
            )
            continue
        ranges[label] = (float(bounds[0]), float(bounds[1]))
    ordered = sorted(ranges.items(), key=lambda item: item[1])
    for (low_label, low), (high_label, high) in itertools.pairwise(ordered):
        if high[0] <= low[1]:  # inclusive ranges: a shared edge is an overlap
            problems.add(f"{where} sizes: {low_label} and {high_label} overlap")
    if problems.total > count:
        return None
    return SizeChart(str(measure), MappingProxyType(ranges))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value
