"""The merchandisers' knobs (`catalog/weights.toml`), documented and validated key by key.

A file with any problem is refused whole, with every problem named; callers keep the last good
weights in force (see `recommender.shop.last_good`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from recommender.catalog.reading import read_catalog_file
from recommender.errors import CatalogError, Problems
from recommender.files import version_token

WEIGHTS_FILE = "weights.toml"
SCHEMA_VERSION = 1
# A real file is a few KB; the cap keeps a stray huge one from being parsed at all.
MAX_WEIGHTS_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Knob:
    """One documented number in weights.toml."""

    section: str
    key: str
    low: float
    high: float
    default: float
    doc: str
    integer: bool = False


# Every fixed key, its range and what it does. Per-rule and per-product tables follow below.
KNOBS: tuple[Knob, ...] = (
    Knob("blend", "rules", 0.0, 1.0, 1.0, "how much the article rules count in a product's score"),
    Knob("blend", "model", 0.0, 1.0, 0.0, "how much the learned re-ranker counts (0 = rules only)"),
    Knob("blend", "boost", 0.0, 1.0, 0.3, "how much the per-product boosts below count"),
    Knob(
        "limits", "max_per_category", 1, 10, 2, "at most this many products of one category", True
    ),
    # Experiment arms (recommender.merchandising.experiments): a share of sessions runs without one part of
    # the blend, so that part's effect can be measured against the control sessions.
    Knob("experiment", "no_boost_share", 0.0, 0.5, 0.0, "share of sessions shown without boosts"),
    Knob("experiment", "no_model_share", 0.0, 0.5, 0.0, "share of sessions shown without model"),
    # Team-draft interleaving (recommender.model.interleaving) of a named candidate model against the
    # served ranking; nothing is interleaved until `recommender models interleave ID` names one.
    Knob(
        "experiment",
        "interleave_share",
        0.0,
        0.5,
        0.0,
        "share of sessions shown the candidate model interleaved with the served ranking",
    ),
)
RULE_MULTIPLIER_RANGE = (0.0, 3.0)  # 0 switches a rule off; 1 leaves it as the article rule set it
BOOST_RANGE = (-1.0, 1.0)


@dataclass(frozen=True)
class Weights:
    """The merchandisers' knobs of `weights.toml`, checked: blend, limits, experiments, multipliers, boosts."""

    blend_rules: float = 1.0
    blend_model: float = 0.0
    blend_boost: float = 0.3
    max_per_category: int = 2
    no_boost_share: float = 0.0
    no_model_share: float = 0.0
    interleave_share: float = 0.0
    rule_multipliers: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    boosts: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    version: str = "defaults"

    def multiplier(self, rule_id: str) -> float:
        """The merchandisers' multiplier of rule `rule_id` (1 when not set)."""
        return self.rule_multipliers.get(rule_id, 1.0)

    def boost(self, sku: str) -> float:
        """The merchandisers' boost of product `sku` (0 when not set)."""
        return self.boosts.get(sku, 0.0)


def load_weights(directory: Path, rule_ids: Iterable[str], skus: Iterable[str]) -> Weights:
    """Read `weights.toml` in `directory`; a missing file means the documented defaults."""
    path = Path(directory) / WEIGHTS_FILE
    if not path.exists():
        return Weights()
    return weights_from_bytes(read_catalog_file(path, MAX_WEIGHTS_BYTES, "TOML"), rule_ids, skus)


def weights_from_bytes(raw: bytes, rule_ids: Iterable[str], skus: Iterable[str]) -> Weights:
    """The weights the bytes of a weights.toml give, exactly as `load_weights` reads a file."""
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogError([f"{WEIGHTS_FILE}: not valid TOML ({error})"]) from None
    except RecursionError:
        raise CatalogError([f"{WEIGHTS_FILE}: not valid TOML (nested too deeply)"]) from None
    return parse_weights(data, set(rule_ids), set(skus), version=version_token(raw))


def parse_weights(
    data: Mapping[str, Any], rule_ids: set[str], skus: set[str], version: str
) -> Weights:
    """Check decoded weights against the known rules and products; raise listing every problem."""
    problems = Problems()
    known_sections = {knob.section for knob in KNOBS} | {"rule_multipliers", "boosts"}
    for key in data:
        if key != "schema_version" and key not in known_sections:
            problems.add(f"{WEIGHTS_FILE}: unknown key '{key}'")
    # Not `version`: that name is the file's hash, which the served weights must carry.
    schema = data.get("schema_version", SCHEMA_VERSION)
    if type(schema) is not int or schema != SCHEMA_VERSION:  # true and 1.0 are not 1
        problems.add(f"{WEIGHTS_FILE}: schema_version must be {SCHEMA_VERSION}, got {schema!r}")
    values = {(k.section, k.key): _knob(data, k, problems) for k in KNOBS}
    for section in {knob.section for knob in KNOBS}:
        for key in _table(data, section, problems):
            if (section, key) not in values:
                problems.add(f"{WEIGHTS_FILE} [{section}]: unknown key '{key}'")
    multipliers = _named_numbers(
        data, "rule_multipliers", rule_ids, "rule", RULE_MULTIPLIER_RANGE, problems
    )
    boosts = _named_numbers(data, "boosts", skus, "product sku", BOOST_RANGE, problems)
    blend = [values["blend", key] for key in ("rules", "model", "boost")]
    if not any(blend):
        # Every score would be 0 and the order arbitrary: no merchandiser means that.
        problems.add(f"{WEIGHTS_FILE} [blend]: rules, model and boost cannot all be 0")
    shares = [values["experiment", k] for k in ("no_boost_share", "no_model_share")]
    if sum(shares) + values["experiment", "interleave_share"] > 1:
        problems.add(
            f"{WEIGHTS_FILE} [experiment]: no_boost_share, no_model_share and interleave_share "
            "add up to more than 1"
        )
    problems.raise_if_any()
    return Weights(
        blend_rules=values["blend", "rules"],
        blend_model=values["blend", "model"],
        blend_boost=values["blend", "boost"],
        max_per_category=int(values["limits", "max_per_category"]),
        no_boost_share=values["experiment", "no_boost_share"],
        no_model_share=values["experiment", "no_model_share"],
        interleave_share=values["experiment", "interleave_share"],
        rule_multipliers=MappingProxyType(multipliers),
        boosts=MappingProxyType(boosts),
        version=version,
    )


def _table(data: Mapping[str, Any], section: str, problems: Problems) -> Mapping[str, Any]:
    table = data.get(section, {})
    if not isinstance(table, Mapping):
        problems.add(f"{WEIGHTS_FILE}: '{section}' must be a table")
        return {}
    return table


def _knob(data: Mapping[str, Any], knob: Knob, problems: Problems) -> float:
    table = _table(data, knob.section, Problems())
    if knob.key not in table:
        return knob.default
    value = table[knob.key]
    where = f"{WEIGHTS_FILE} [{knob.section}] {knob.key}"
    if not _is_number(value) or (knob.integer and not isinstance(value, int)):
        kind = "a whole number" if knob.integer else "a number"
        problems.add(f"{where}: {value!r} is not {kind}")
        return knob.default
    if not knob.low <= value <= knob.high:
        problems.add(f"{where}: {value!r} is outside {knob.low:g} to {knob.high:g}")
        return knob.default
    return float(value)


def _named_numbers(
    data: Mapping[str, Any],
    section: str,
    known: set[str],
    noun: str,
    bounds: tuple[float, float],
    problems: Problems,
) -> dict[str, float]:
    found: dict[str, float] = {}
    low, high = bounds
    for name, value in _table(data, section, problems).items():
        where = f"{WEIGHTS_FILE} [{section}] {name}"
        if name not in known:
            problems.add(f"{where}: unknown {noun} '{name}'")
        elif not _is_number(value):
            problems.add(f"{where}: {value!r} is not a number")
        elif not low <= value <= high:
            problems.add(f"{where}: {value!r} is outside {low:g} to {high:g}")
        else:
            found[name] = float(value)
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value
