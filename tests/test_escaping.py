"""Text from data files is shown literally: no link, image, HTML or formatting gets through.

`plain` is checked against a real CommonMark renderer (the dialect Streamlit's front end
speaks), for the reviewer's hostile names and for any text hypothesis can think of.
"""

from __future__ import annotations

import html
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from recommender.escaping import WORD_JOINER, plain, plain_bullets

HOSTILE = (
    "[50% off today](http://evil.example/deal)",
    "![pixel](http://198.51.100.7/pixel.png)",
    '<img src="http://198.51.100.7/x.png" onerror="alert(1)">',
    "<script>alert('hi')</script>",
    "Knee sleeve <http://evil.example/auto>",
    "**Bold** _claim_ `code` ~~gone~~ :red[alarm] :material/warning: $x^2$",
    "# Heading\n\n---\n    indented code",
    "1. first\n- second\n> quote",
    "&lt;b&gt;entity&lt;/b&gt; &amp; &#x41;",
    "[ref link][r]\n\n[r]: http://evil.example/r",
    "| a | b |\n|---|---|\n| c | d |",
    "trailing backslash \\",
)
_renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _as_shown(text: str) -> str:
    """What a reader should see: the text itself, spaced out on one line, controls removed."""
    flat = " ".join(text.split())
    return "".join(ch for ch in flat if unicodedata.category(ch) not in ("Cc", "Cf")).strip()


def _renders_literally(text: str) -> None:
    rendered = _renderer.render(plain(text)).strip()
    shown = _as_shown(text)
    if not shown:
        assert rendered == ""
        return
    inner = rendered.removeprefix("<p>").removesuffix("</p>")
    assert rendered == f"<p>{inner}</p>"
    assert "<" not in inner  # one paragraph and no element inside it: no link, image or tag
    assert html.unescape(inner).replace(WORD_JOINER, "") == shown


def test_the_reviewers_hostile_names_render_as_the_characters_typed():
    for text in HOSTILE:
        _renders_literally(text)
        rendered = _renderer.render(plain(text))
        assert "<a " not in rendered and "<img" not in rendered and "<script" not in rendered


def test_an_ordinary_product_name_reads_the_same():
    assert _renderer.render(plain("Kinetra 7mm Knee Sleeve (pair) - 24.00")).strip() == (
        "<p>Kinetra 7mm Knee Sleeve (pair) - 24.00</p>"
    )


def test_a_bullet_list_keeps_one_bullet_per_line_and_escapes_each():
    rendered = _renderer.render(plain_bullets(["![a](http://x.example/a.png)", "b\n# c"]))
    assert rendered.count("<li>") == 2
    assert "<img" not in rendered and "<h1>" not in rendered


@given(st.text(max_size=200))
def test_any_text_renders_literally(text: str):
    _renders_literally(text)


@given(st.text(alphabet="[]()!<>*_`#-=~:$&\\|.h/ \n\tab1", max_size=80))
def test_any_mix_of_markdown_punctuation_renders_literally(text: str):
    _renders_literally(text)


# The patterns remark-gfm (mdast-util-gfm-autolink-literal) links in text after parsing, where
# backslash escapes are already gone: so they are matched against the unescaped text.
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
_GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")


def _text_after_parsing(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_bare_addresses_are_not_turned_into_links_and_still_read_the_same():
    for text in ("see http://evil.example/x", "WWW.evil.example", "mail ana@evil.example now"):
        escaped = _text_after_parsing(plain(text))
        assert not _GFM_URL.search(escaped) and not _GFM_EMAIL.search(escaped)
        assert escaped.replace(WORD_JOINER, "") == text


@given(st.text(alphabet="htpsw.:/@ab-", max_size=40))
def test_no_text_leaves_an_autolink_pattern(text: str):
    escaped = _text_after_parsing(plain(text))
    assert not _GFM_URL.search(escaped) and not _GFM_EMAIL.search(escaped)
