"""A merchandiser's MAP.toml with a mistake is refused with exit 2, naming the key."""

from __future__ import annotations

import pytest

from tests.feed.conftest import EXAMPLES, MAPPING, REPO

GOOD = MAPPING.read_text(encoding="utf-8")
SLEEVES = '[types."Supports > Knee > Sleeves"]\ncategory = "knee_sleeve"'


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: "colour_chart = 1\n" + t, "map.toml: unknown key 'colour_chart'"),
        (
            lambda t: t.replace(SLEEVES, SLEEVES + '\nmaterial = "knit"'),
            "map.toml [types.\"Supports > Knee > Sleeves\"]: unknown key 'material'",
        ),
        (
            lambda t: t.replace('category = "knee_sleeve"', "category = 3"),
            'map.toml [types."Supports > Knee > Sleeves"] category: 3 is not one of knee_sleeve',
        ),
        (
            lambda t: t.replace('category = "knee_sleeve"', 'category = "kneepad"'),
            "category: 'kneepad' is not one of",
        ),
        (
            lambda t: t.replace(SLEEVES, SLEEVES + '\nheat = "no"'),
            "Sleeves\"] heat: must be true or false, got 'no'",
        ),
        (
            lambda t: t.replace('areas = ["knee"]', 'areas = "knee"', 1),
            "Sleeves\"] areas: must be a list of words, got 'knee'",
        ),
        (
            lambda t: t.replace('size_chart = "calf"', 'size_chart = "ankle"'),
            "size_chart: 'ankle' is not a chart under [size_charts]",
        ),
        (
            lambda t: t.replace('"M" = [34.5, 38]', '"M" = [33, 38]'),
            "map.toml [size_charts.knee] sizes: S and M overlap",
        ),
        (
            lambda t: t.replace('measure = "knee_cm"', 'measure = "knee_in"', 1),
            "map.toml [size_charts.knee] measure: 'knee_in' is not one of knee_cm",
        ),
        (lambda t: t.replace('currency = "GBP"', 'currency = "pounds"'), "map.toml currency:"),
        (lambda t: t.replace("schema_version = 1", "schema_version = 2"), "schema_version"),
        (lambda t: t + '\n[skus."KS-101"]\nprice = 3\n', "[skus.\"KS-101\"]: unknown key 'price'"),
        (lambda t: t + "\n[broken\n", "map.toml: not valid TOML"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_key(edit, expected, tmp_path, cli):
    mapping = tmp_path / "map.toml"
    mapping.write_text(edit(GOOD), encoding="utf-8")
    out = tmp_path / "out"
    feed = EXAMPLES / "merchant-center.tsv"
    code, stdout, err = cli("catalog", "import-feed", feed, "--mapping", mapping, "--out", out)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err and stdout == ""
    assert not out.exists()


def test_a_type_matches_the_most_specific_mapped_path(tmp_path, cli):
    # A broader entry ("Supports > Knee") covers types the mapping does not list one by one,
    # and never overrides a more specific one.
    lines = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    lines = [
        line.replace("Supports > Knee > Straps", "Supports > Knee > Straps > Patella")
        for line in lines
    ]
    feed = tmp_path / "feed.tsv"
    feed.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)
    assert code == 0, err
    rows = (out / "products.csv").read_text(encoding="utf-8").splitlines()
    strap = next(r for r in rows if r.startswith("KT-301,"))
    assert ",knee_strap," in strap


def test_the_feed_guide_mapping_example_is_complete_and_valid(tmp_path, cli):
    guide = (REPO / "docs" / "guides" / "feed-import.md").read_text(encoding="utf-8")
    example = guide.split("```toml\n", 1)[1].split("```", 1)[0]
    mapping = tmp_path / "MAP.toml"
    mapping.write_text(example, encoding="utf-8")
    feed = tmp_path / "feed.tsv"
    feed.write_text(
        "id\titem_group_id\ttitle\tlink\tprice\tavailability\tproduct_type\tsize\tproduct_detail\n"
        "KS-104-S\tKS-104\tWarm Sleeve - S\thttps://shop.example/p/ks-104\t29.00 GBP\tin_stock\t"
        "Supports > Knee > Sleeves\tS\tSafety:cold:false,Safety:compression:true,Safety:magnetic:false\n"
        "KS-104-M\tKS-104\tWarm Sleeve - M\thttps://shop.example/p/ks-104\t29.00 GBP\tout_of_stock\t"
        "Supports > Knee > Sleeves\tM\tSafety:cold:false,Safety:compression:true,Safety:magnetic:false\n"
        "YP-151\t\tYoga Block\thttps://shop.example/p/yp-151\t16.00 GBP\tin_stock\tFitness > Yoga\t\t\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, _, err = cli("catalog", "import-feed", feed, "--mapping", mapping, "--out", out)
    assert code == 0, err
    products = (out / "products.csv").read_text(encoding="utf-8")
    assert (
        "KS-104,Warm Sleeve,knee_sleeve,29.00,true,false,false,true,false,light,knee," in products
    )
    assert "compression warmth" in products  # the SKU override's features
    assert (out / "sizes.csv").read_text(encoding="utf-8").splitlines()[1:] == [
        "KS-104,S,knee_cm,30,34",
        "KS-104,M,knee_cm,34.5,38",
    ]
