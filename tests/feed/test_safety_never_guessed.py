"""Property: an imported product's heat, cold, compression and magnetic are exactly what the
feed or the mapping stated, never a default; any product left unknown or contradicted stops the
whole import, named by its line and field."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.catalog.products import SAFETY_PROPERTIES
from recommender.errors import CatalogError
from recommender.feed.build import build_catalog
from recommender.feed.mapping import parse_mapping
from recommender.feed.tabular import read_gmc_tsv

maybe_bool = st.sampled_from([None, True, False])
statements = st.fixed_dictionaries({prop: maybe_bool for prop in SAFETY_PROPERTIES})
product = st.fixed_dictionaries(
    {
        "type": st.integers(0, 2),
        "variants": st.integers(1, 3),
        "feed": statements,  # what the feed's product_detail says (on the first variant)
        "override": statements,  # what [skus."..."] says
    }
)


def _detail(said: dict) -> str:
    return ",".join(f"Safety:{p}:{str(v).lower()}" for p, v in said.items() if v is not None)


def feed_text(products: list[dict]) -> tuple[str, dict[str, int]]:
    lines = ["id\titem_group_id\ttitle\tlink\tprice\tavailability\tproduct_type\tproduct_detail"]
    first_line = {}
    for number, spec in enumerate(products):
        sku = f"P-{number}"
        first_line[sku] = len(lines) + 1
        for variant in range(spec["variants"]):
            detail = _detail(spec["feed"]) if variant == 0 else ""
            lines.append(
                f"{sku}-{variant}\t{sku}\tThing {number}\thttps://shop.example/{sku}\t"
                f"10.00 GBP\tin_stock\tType {spec['type']}\t{detail}"
            )
    return "\n".join(lines) + "\n", first_line


def expected(spec: dict, by_type: dict) -> dict[str, bool | str]:
    """Each property's value, or "unknown" / "conflict"."""
    result: dict[str, bool | str] = {}
    for prop in SAFETY_PROPERTIES:
        feed, typed, override = spec["feed"][prop], by_type[prop], spec["override"][prop]
        if override is not None:
            result[prop] = override
        elif feed is not None and typed is not None and feed != typed:
            result[prop] = "conflict"
        elif feed is None and typed is None:
            result[prop] = "unknown"
        else:
            result[prop] = feed if feed is not None else typed
    return result


@settings(max_examples=150, deadline=None)
@given(
    products=st.lists(product, min_size=1, max_size=6),
    types=st.lists(statements, min_size=3, max_size=3),
)
def test_safety_properties_come_only_from_what_was_stated(products, types):
    text, first_line = feed_text(products)
    mapping = parse_mapping(
        {
            "schema_version": 1,
            "currency": "GBP",
            "types": {
                f"Type {n}": {
                    "category": "knee_sleeve",
                    **{p: v for p, v in t.items() if v is not None},
                }
                for n, t in enumerate(types)
            },
            "skus": {
                f"P-{n}": {p: v for p, v in spec["override"].items() if v is not None}
                for n, spec in enumerate(products)
            },
        },
        "map.toml",
    )
    wanted = {f"P-{n}": expected(spec, types[spec["type"]]) for n, spec in enumerate(products)}
    bad = {
        sku: [p for p, v in props.items() if isinstance(v, str)] for sku, props in wanted.items()
    }
    bad = {sku: props for sku, props in bad.items() if props}
    read = read_gmc_tsv(text, "feed.tsv")
    if bad:
        with pytest.raises(CatalogError) as refused:
            build_catalog(read, mapping, "feed.tsv")
        listed = "\n".join(refused.value.problems)
        for sku, props in bad.items():
            for prop in props:
                assert f"feed.tsv line {first_line[sku]}, field '" in listed
                named = [p for p in refused.value.problems if f"line {first_line[sku]}," in p]
                assert any(prop in p for p in named), (sku, prop, named)
        return
    built = build_catalog(read, mapping, "feed.tsv")
    rows = {row["sku"]: row for row in csv.DictReader(built.products_text.splitlines())}
    assert set(rows) == set(wanted)
    for sku, props in wanted.items():
        assert {p: rows[sku][p] for p in SAFETY_PROPERTIES} == {
            p: "true" if v else "false" for p, v in props.items()
        }
