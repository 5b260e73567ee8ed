"""Hostile and broken feeds are refused whole, named, with exit 2 and nothing written."""

from __future__ import annotations

import pytest

from tests.feed.conftest import EXAMPLES, MAPPING

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>A-1</g:id><title>&lol9;</title></item>
</channel></rss>
"""
OUTSIDE_FILE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>A-1</g:id><title>&secret;</title></item>
</channel></rss>
"""


def refused(cli, feed, tmp_path) -> str:
    out = tmp_path / "out"
    code, stdout, err = cli("catalog", "import-feed", feed, "--mapping", MAPPING, "--out", out)
    assert code == 2, err
    assert "Traceback" not in err and stdout == ""
    assert not out.exists()
    return err


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, OUTSIDE_FILE], ids=["billion-laughs", "external"])
def test_xml_with_entity_declarations_is_refused_before_anything_expands(xml, tmp_path, cli):
    feed = tmp_path / "feed.xml"
    feed.write_text(xml, encoding="utf-8")
    err = refused(cli, feed, tmp_path)
    assert "feed.xml line" in err and "refused: the XML declares a DTD or entities" in err


def test_xml_nested_too_deep_is_refused_naming_the_limit(tmp_path, cli):
    feed = tmp_path / "deep.xml"
    nested = "<x>" * 50 + "</x>" * 50
    feed.write_text(
        f'<rss xmlns:g="http://base.google.com/ns/1.0"><channel>{nested}</channel></rss>'
    )
    assert "elements nested deeper than 12 levels" in refused(cli, feed, tmp_path)


def test_xml_that_is_not_well_formed_is_named_by_line(tmp_path, cli):
    text = (EXAMPLES / "merchant-center.xml").read_text(encoding="utf-8")
    feed = tmp_path / "broken.xml"
    feed.write_text(text.replace("</item>", "</itm>", 1), encoding="utf-8")
    assert "broken.xml line" in refused(cli, feed, tmp_path)
    assert "not well-formed XML" in refused(cli, feed, tmp_path)


def test_more_items_than_the_limit_are_refused(tmp_path, cli, monkeypatch):
    monkeypatch.setattr("recommender.feed.rss.MAX_ITEMS", 10)
    monkeypatch.setattr("recommender.feed.tabular.MAX_ITEMS", 10)
    for name in ("merchant-center.xml", "merchant-center.tsv", "shopify-products.csv"):
        assert "more than 10 items" in refused(cli, EXAMPLES / name, tmp_path)


def test_a_feed_over_the_size_limit_is_refused_unread(tmp_path, cli, monkeypatch):
    monkeypatch.setattr("recommender.feed.formats.MAX_FEED_BYTES", 1000)
    err = refused(cli, EXAMPLES / "merchant-center.tsv", tmp_path)
    assert "merchant-center.tsv: larger than the 1,000 bytes allowed" in err


def test_an_overlong_line_is_refused_by_number(tmp_path, cli):
    lines = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    lines[4] = lines[4].replace("Soft", "Soft " + "very " * 40_000, 1)
    feed = tmp_path / "long.tsv"
    feed.write_text("\n".join(lines), encoding="utf-8")
    assert "long.tsv line 5: longer than the 131,072 characters allowed" in refused(
        cli, feed, tmp_path
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"products": []}', "not a feed we read"),
        (b"id\ttitle\n\xff\xfe\tbad\n", "bad.feed line 2: not UTF-8 text"),
        (b"id\ttitle\nA-1\tthing\n", "no 'price' column"),
        (b"", "not a feed we read"),
    ],
)
def test_files_that_are_not_a_feed_are_named(content, expected, tmp_path, cli):
    feed = tmp_path / "bad.feed"
    feed.write_bytes(content)
    assert expected in refused(cli, feed, tmp_path)


def test_a_link_that_is_not_a_web_address_is_refused_by_line(tmp_path, cli):
    lines = (EXAMPLES / "merchant-center.tsv").read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("https://shop.example/products/", "javascript:alert(1)//", 1)
    feed = tmp_path / "links.tsv"
    feed.write_text("\n".join(lines), encoding="utf-8")
    assert "links.tsv line 3, field 'link': 'javascript:alert(1)//" in refused(cli, feed, tmp_path)


def test_a_missing_feed_or_mapping_is_named(tmp_path, cli):
    assert "nowhere.tsv: file not found" in refused(cli, tmp_path / "nowhere.tsv", tmp_path)
    code, _, err = cli(
        "catalog",
        "import-feed",
        EXAMPLES / "merchant-center.tsv",
        "--mapping",
        tmp_path / "no.toml",
    )
    assert code == 2 and "no.toml: file not found" in err
